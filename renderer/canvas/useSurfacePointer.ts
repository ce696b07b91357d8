/**
 * Pointer input on the empty board: drag with the middle button, or with Space held, pans; a left
 * drag on empty space draws a rubber band; a left click on empty space clears the selection; the
 * wheel scrolls, Ctrl/Cmd+wheel (and trackpad pinch) zooms about the pointer.
 */
import type Konva from 'konva';
import { useCallback, useEffect, useRef, useState, type PointerEvent as ReactPointerEvent, type RefObject } from 'react';
import type { Point } from './command-stack';
import { panBy, rectBetween, screenToBoard, wheelPanDelta, wheelZoomFactor, zoomAt, type Rect, type Viewport } from './viewport';

interface SurfacePointerOptions {
  surface: RefObject<HTMLDivElement | null>;
  stage: RefObject<Konva.Stage | null>;
  view: { readonly current: Viewport };
  setView(update: (view: Viewport) => Viewport): void;
  spaceHeld: { readonly current: boolean };
  /** A finished rubber band, in board units. */
  onBand(rect: Rect, shift: boolean): void;
  onEmptyClick(shift: boolean): void;
}

/** Smaller drags than this (screen pixels) are clicks. */
const clickSlopPx = 4;

export function useSurfacePointer(options: SurfacePointerOptions) {
  const latest = useRef(options);
  latest.current = options;
  /** The rubber band being drawn, in surface pixels; null when none. */
  const [band, setBand] = useState<Rect | null>(null);
  const [panning, setPanning] = useState(false);

  const localPoint = useCallback((clientX: number, clientY: number): Point => {
    const rect = latest.current.surface.current?.getBoundingClientRect();
    return rect ? { x: clientX - rect.left, y: clientY - rect.top } : { x: clientX, y: clientY };
  }, []);

  const onPointerDown = useCallback(
    (event: ReactPointerEvent<HTMLDivElement>) => {
      const { spaceHeld, stage, view, setView } = latest.current;
      const start = localPoint(event.clientX, event.clientY);
      const pan = event.button === 1 || (event.button === 0 && spaceHeld.current);
      if (pan) {
        // The middle button would otherwise start the browser's autoscroll.
        event.preventDefault();
        const origin = view.current;
        setPanning(true);
        const move = (moveEvent: PointerEvent) => {
          const now = localPoint(moveEvent.clientX, moveEvent.clientY);
          setView(() => ({ ...origin, x: origin.x + now.x - start.x, y: origin.y + now.y - start.y }));
        };
        const up = () => {
          setPanning(false);
          window.removeEventListener('pointermove', move);
          window.removeEventListener('pointerup', up);
          window.removeEventListener('pointercancel', up);
        };
        window.addEventListener('pointermove', move);
        window.addEventListener('pointerup', up);
        window.addEventListener('pointercancel', up);
        return;
      }
      // Only the left button on the drawing itself (not on an overlay such as the items list).
      if (event.button !== 0 || !stage.current?.content.contains(event.target as Node)) {
        return;
      }
      if (stage.current?.getIntersection(start)) {
        return; // On an item: the item handles it (select, drag).
      }
      const shift = event.shiftKey;
      let current = start;
      const move = (moveEvent: PointerEvent) => {
        current = localPoint(moveEvent.clientX, moveEvent.clientY);
        setBand(rectBetween(start, current));
      };
      const up = () => {
        window.removeEventListener('pointermove', move);
        window.removeEventListener('pointerup', up);
        window.removeEventListener('pointercancel', up);
        setBand(null);
        const screenRect = rectBetween(start, current);
        if (screenRect.width < clickSlopPx && screenRect.height < clickSlopPx) {
          latest.current.onEmptyClick(shift);
          return;
        }
        const view = latest.current.view.current;
        const topLeft = screenToBoard(view, { x: screenRect.x, y: screenRect.y });
        latest.current.onBand(
          { x: topLeft.x, y: topLeft.y, width: screenRect.width / view.scale, height: screenRect.height / view.scale },
          shift,
        );
      };
      window.addEventListener('pointermove', move);
      window.addEventListener('pointerup', up);
      window.addEventListener('pointercancel', up);
    },
    [localPoint],
  );

  useEffect(() => {
    const surface = options.surface.current;
    if (!surface) {
      return;
    }
    const onWheel = (event: WheelEvent) => {
      event.preventDefault();
      const { setView } = latest.current;
      if (event.ctrlKey || event.metaKey) {
        const anchor = localPoint(event.clientX, event.clientY);
        const factor = wheelZoomFactor(event.deltaY, event.deltaMode);
        setView((view) => zoomAt(view, anchor, factor));
      } else {
        const delta = wheelPanDelta(event.deltaX, event.deltaY, event.deltaMode);
        setView((view) => panBy(view, delta.x, delta.y));
      }
    };
    // React's wheel listeners are passive; this one must be able to stop the page from scrolling.
    surface.addEventListener('wheel', onWheel, { passive: false });
    return () => surface.removeEventListener('wheel', onWheel);
  }, [options.surface, localPoint]);

  return { onPointerDown, band, panning };
}
