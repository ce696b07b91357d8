/**
 * The camera of one board: restored from localStorage (per board) when the board opens, else fitted
 * to its items once they are read; saved shortly after every change.
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import type { BoardItem } from '../../preload/contract';
import { readLocal, writeLocal } from '../state/local-storage';
import { boundsOf, defaultViewport, fitBounds, parseViewport, revealRect, zoomAt, type Rect, type Size, type Viewport } from './viewport';

const saveDelayMs = 250;

export function viewportKey(boardId: string): string {
  return `mentor-studio.canvas.view.${boardId}`;
}

export interface BoardViewport {
  view: Viewport;
  /** False until the view is restored or fitted (nothing should be drawn at a view about to jump). */
  ready: boolean;
  /** The latest view, for event handlers. */
  viewRef: { readonly current: Viewport };
  setView(update: (view: Viewport) => Viewport): void;
  zoomBy(factor: number): void;
  fit(): void;
  /** Pans (or fits) so these board rectangles are on screen: new items never land out of sight. */
  reveal(rects: readonly Rect[]): void;
}

export function useBoardViewport(boardId: string, size: Size, items: readonly BoardItem[] | null): BoardViewport {
  const [stored, setStored] = useState<Viewport | null>(() => parseViewport(readLocal(viewportKey(boardId))));
  const view = stored ?? defaultViewport;
  const viewRef = useRef(view);
  viewRef.current = view;
  const sizeRef = useRef(size);
  sizeRef.current = size;
  const itemsRef = useRef(items);
  itemsRef.current = items;

  // First visit of a board: show all of it once the items and the screen size are known.
  const measured = size.width > 0 && size.height > 0;
  const loaded = items !== null;
  useEffect(() => {
    if (stored === null && measured && loaded) {
      setStored(fitBounds(boundsOf(itemsRef.current ?? []), sizeRef.current));
    }
  }, [stored, measured, loaded]);

  // Saved a moment after the last change, and at once when the board closes or the page goes away.
  const unsaved = useRef<Viewport | null>(null);
  const save = useCallback(() => {
    if (unsaved.current !== null) {
      writeLocal(viewportKey(boardId), JSON.stringify(unsaved.current));
      unsaved.current = null;
    }
  }, [boardId]);
  useEffect(() => {
    if (stored === null) {
      return;
    }
    unsaved.current = stored;
    const timer = window.setTimeout(save, saveDelayMs);
    return () => window.clearTimeout(timer);
  }, [stored, save]);
  useEffect(() => {
    window.addEventListener('pagehide', save);
    return () => {
      window.removeEventListener('pagehide', save);
      save();
    };
  }, [save]);

  const setView = useCallback((update: (view: Viewport) => Viewport) => {
    setStored((current) => update(current ?? viewRef.current));
  }, []);

  const zoomBy = useCallback(
    (factor: number) => {
      const centre = { x: sizeRef.current.width / 2, y: sizeRef.current.height / 2 };
      setView((current) => zoomAt(current, centre, factor));
    },
    [setView],
  );

  const fit = useCallback(() => {
    setView(() => fitBounds(boundsOf(itemsRef.current ?? []), sizeRef.current));
  }, [setView]);

  const reveal = useCallback(
    (rects: readonly Rect[]) => {
      const bounds = boundsOf(rects);
      if (bounds !== null) {
        setView((current) => revealRect(current, sizeRef.current, bounds));
      }
    },
    [setView],
  );

  return { view, ready: stored !== null, viewRef, setView, zoomBy, fit, reveal };
}
