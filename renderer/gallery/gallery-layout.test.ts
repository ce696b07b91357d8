import { describe, expect, it } from 'vitest';
import { firstPageSize, gridGeometry, needsNextPage, rowCount } from './gallery-layout';

describe('gridGeometry', () => {
  const options = { minTilePx: 160, maxTilePx: 240, gapPx: 8 };

  it('fits as many columns of the minimum width as the width holds, sharing the rest', () => {
    const geometry = gridGeometry(1000, options);
    expect(geometry.columns).toBe(5);
    expect(geometry.columns * (geometry.tilePx + 8) + 8).toBeLessThanOrEqual(1000);
    expect(geometry.tilePx).toBeGreaterThanOrEqual(160);
    expect(geometry.rowPx).toBe(geometry.tilePx + 8);
  });

  it('keeps one column on a narrow strip and caps the tile size on a wide one', () => {
    expect(gridGeometry(100, options).columns).toBe(1);
    const wide = gridGeometry(2400, options);
    expect(wide.tilePx).toBeLessThanOrEqual(240);
    expect(wide.columns * (wide.tilePx + 8) + 8).toBeLessThanOrEqual(2400);
  });
});

describe('paging', () => {
  it('counts rows of a partly filled last row', () => {
    expect(rowCount(0, 4)).toBe(0);
    expect(rowCount(9, 4)).toBe(3);
  });

  it('asks for the next page near the end of what is loaded, and never past the total', () => {
    expect(needsNextPage({ lastVisibleRow: 2, loadedRows: 20, loadedItems: 100, total: 1000 })).toBe(false);
    expect(needsNextPage({ lastVisibleRow: 16, loadedRows: 20, loadedItems: 100, total: 1000 })).toBe(true);
    expect(needsNextPage({ lastVisibleRow: 19, loadedRows: 20, loadedItems: 100, total: 100 })).toBe(false);
  });
});

describe('firstPageSize', () => {
  it('asks for twice the tiles a screen shows, within bounds', () => {
    const geometry = gridGeometry(900);
    const rows = Math.ceil(700 / geometry.rowPx) + 1;
    expect(firstPageSize(900, 700)).toBe(Math.max(40, geometry.columns * rows * 2));
    expect(firstPageSize(200, 100)).toBe(40);
    expect(firstPageSize(2200, 1300)).toBeLessThanOrEqual(240);
    expect(firstPageSize(2200, 1300)).toBeGreaterThan(firstPageSize(900, 700));
  });
});
