/** Layout arithmetic of the virtualised gallery grid: columns, tile size, and when to load the next page. */

export const galleryLayout = {
  /** Tiles are at least this wide; spare width is shared among the columns. */
  minTilePx: 168,
  maxTilePx: 260,
  gapPx: 8,
  /** Rows to load ahead of the last visible one. */
  loadAheadRows: 4,
} as const;

export interface GridGeometry {
  columns: number;
  tilePx: number;
  /** Height of one virtual row: a tile and the gap under it. */
  rowPx: number;
}

/** As many columns of at least `minTilePx` as fit in `widthPx` (never fewer than one). */
export function gridGeometry(widthPx: number, options: { minTilePx: number; maxTilePx: number; gapPx: number } = galleryLayout): GridGeometry {
  const { minTilePx, maxTilePx, gapPx } = options;
  const usable = Math.max(0, widthPx - gapPx);
  let columns = Math.max(1, Math.floor(usable / (minTilePx + gapPx)));
  let tilePx = Math.floor(usable / columns - gapPx);
  // On a very wide screen, more columns rather than huge tiles.
  while (tilePx > maxTilePx) {
    columns += 1;
    tilePx = Math.floor(usable / columns - gapPx);
  }
  tilePx = Math.max(1, tilePx);
  return { columns, tilePx, rowPx: tilePx + gapPx };
}

export function rowCount(tileCount: number, columns: number): number {
  return Math.ceil(tileCount / Math.max(1, columns));
}

/** True when the user has scrolled near the end of what is loaded and the studio has more. */
export function needsNextPage(state: { lastVisibleRow: number; loadedRows: number; loadedItems: number; total: number; aheadRows?: number }): boolean {
  if (state.loadedItems >= state.total) {
    return false;
  }
  return state.lastVisibleRow >= state.loadedRows - 1 - (state.aheadRows ?? galleryLayout.loadAheadRows);
}

/**
 * Rows to ask for first: enough to fill a grid of this size twice over (variations stack, so one tile
 * may stand for several rows), and no more — a smaller answer arrives and renders sooner; scrolling
 * loads the rest.
 */
export function firstPageSize(gridWidthPx: number, gridHeightPx: number, bounds = { min: 40, max: 240 }): number {
  const geometry = gridGeometry(gridWidthPx);
  const visibleRows = Math.ceil(Math.max(0, gridHeightPx) / geometry.rowPx) + 1;
  const wanted = geometry.columns * visibleRows * 2;
  return Math.min(bounds.max, Math.max(bounds.min, wanted));
}
