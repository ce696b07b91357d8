/**
 * Images arriving from outside the canvas: files or a library image dropped on the board surface
 * (placed at the drop point), and images pasted with Ctrl/Cmd+V anywhere on the Studio page but in
 * text fields and dialogs (placed in the middle of the view).
 */
import { useEffect, useRef, useState, type DragEvent } from 'react';
import { libraryImageMime, readDrag, type LibraryImageDrag } from '../state/drag-types';
import type { Point } from './command-stack';
import type { ImageImport } from './useImageImport';
import { isTextEntry } from './keyboard';

interface ImageInputsOptions {
  importer: ImageImport;
  /** Board point under a client (window) point. */
  boardPointAt(clientX: number, clientY: number): Point;
  /** Board point in the middle of the view. */
  visibleCentre(): Point;
}

function accepts(event: DragEvent): boolean {
  const types = event.dataTransfer.types;
  return types.includes('Files') || types.includes(libraryImageMime);
}

export function useImageInputs({ importer, boardPointAt, visibleCentre }: ImageInputsOptions) {
  const [dropping, setDropping] = useState(false);
  const latest = useRef({ importer, visibleCentre });
  latest.current = { importer, visibleCentre };

  useEffect(() => {
    const onPaste = (event: ClipboardEvent) => {
      const active = document.activeElement as HTMLElement | null;
      if (isTextEntry(active) || active?.closest('[role="dialog"]')) {
        return;
      }
      const files = [...(event.clipboardData?.files ?? [])].filter((file) => file.type.startsWith('image/'));
      if (files.length === 0) {
        return;
      }
      event.preventDefault();
      void latest.current.importer.importFiles(files, latest.current.visibleCentre());
    };
    window.addEventListener('paste', onPaste);
    return () => window.removeEventListener('paste', onPaste);
  }, []);

  const dropHandlers = {
    onDragOver(event: DragEvent<HTMLElement>) {
      if (accepts(event)) {
        event.preventDefault();
        event.dataTransfer.dropEffect = 'copy';
        setDropping(true);
      }
    },
    onDragLeave(event: DragEvent<HTMLElement>) {
      if (!event.currentTarget.contains(event.relatedTarget as Node | null)) {
        setDropping(false);
      }
    },
    onDrop(event: DragEvent<HTMLElement>) {
      setDropping(false);
      if (!accepts(event)) {
        return;
      }
      event.preventDefault();
      const at = boardPointAt(event.clientX, event.clientY);
      const libraryImage = readDrag<LibraryImageDrag>(event.dataTransfer, libraryImageMime);
      if (libraryImage !== null) {
        void importer.placeLibraryImage(libraryImage, at);
        return;
      }
      const files = [...event.dataTransfer.files];
      if (files.length > 0) {
        void importer.importFiles(files, at);
      }
    },
  };

  return { dropping, dropHandlers };
}
