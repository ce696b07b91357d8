/**
 * Drag-and-drop between panels of the studio. A library image (a gallery result, a queue result)
 * travels as JSON under its own MIME type, so the canvas and the prompt composer can tell it from
 * files dragged in from the desktop.
 */

export const libraryImageMime = 'application/x-mentor-library-image';

export type LibraryImageDrag = {
  assetSha256: string;
  /** Set when the image is a generated result: the canvas links it to its lineage. */
  generationId: string | null;
  width: number;
  height: number;
};

/** A canvas item dragged onto the prompt composer becomes an `<image>` chip bound to it. */
export const canvasItemMime = 'application/x-mentor-canvas-item';

export type CanvasItemDrag = { itemId: string };

export function readDrag<T>(transfer: { getData(format: string): string }, mime: string): T | null {
  const raw = transfer.getData(mime);
  if (raw === '') {
    return null;
  }
  try {
    return JSON.parse(raw) as T;
  } catch {
    return null;
  }
}
