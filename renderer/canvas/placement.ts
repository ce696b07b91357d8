/**
 * Where new images land on the board. Sizes are in board units: the longer side of a new item is
 * 256 units, the same size the library gives finished results, so references and results line up.
 */
import type { Point } from './command-stack';
import type { Rect, Size } from './viewport';

export const itemLongSide = 256;
/** Space between items placed together. */
export const placementGap = 24;

/** The board size of an image of `width`×`height` pixels: longer side `longSide`, aspect kept. */
export function displaySize(width: number, height: number, longSide = itemLongSide): Size {
  if (!(width > 0) || !(height > 0) || !Number.isFinite(width) || !Number.isFinite(height)) {
    return { width: longSide, height: longSide };
  }
  const factor = longSide / Math.max(width, height);
  // At least one unit: the contract wants positive sizes, and a 1×5000 strip is still an image.
  return { width: Math.max(1, Math.round(width * factor)), height: Math.max(1, Math.round(height * factor)) };
}

/**
 * Several images dropped at one point: a row, left to right in the order given, whose first image is
 * centred on the drop point (so a single image lands exactly under the cursor).
 */
export function placeRow(sizes: readonly Size[], at: Point, gap = placementGap): Rect[] {
  const first = sizes[0];
  if (first === undefined) {
    return [];
  }
  let left = at.x - first.width / 2;
  const top = at.y - first.height / 2;
  return sizes.map((size) => {
    const rect = { x: left, y: top, width: size.width, height: size.height };
    left += size.width + gap;
    return rect;
  });
}

/**
 * The references of a dropped generated PNG, restored beside it: a column to its left, top aligned,
 * in marker order, so the picture reads "these made that" like the lineage arrows do.
 */
export function placeColumnLeftOf(anchor: Rect, sizes: readonly Size[], gap = placementGap): Rect[] {
  const widest = sizes.reduce((most, size) => Math.max(most, size.width), 0);
  let top = anchor.y;
  return sizes.map((size) => {
    const rect = { x: anchor.x - gap * 2 - widest + (widest - size.width), y: top, width: size.width, height: size.height };
    top += size.height + gap;
    return rect;
  });
}

/**
 * Where the ghost of a running batch is drawn: right of everything on the board, top aligned (the
 * library places results to the right of their sources), or at the origin of an empty board.
 */
export function ghostRect(bounds: Rect | null): Rect {
  if (bounds === null) {
    return { x: -itemLongSide / 2, y: -itemLongSide / 2, width: itemLongSide, height: itemLongSide };
  }
  return { x: bounds.x + bounds.width + placementGap * 3, y: bounds.y, width: itemLongSide, height: itemLongSide };
}
