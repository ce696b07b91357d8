import { describe, expect, it } from 'vitest';
import { displaySize, ghostRect, placeColumnLeftOf, placeRow } from './placement';
import { rectsIntersect } from './viewport';

describe('placement', () => {
  it('scales an image so its longer side is 256 units, keeping the aspect', () => {
    expect(displaySize(1024, 768)).toEqual({ width: 256, height: 192 });
    expect(displaySize(300, 600)).toEqual({ width: 128, height: 256 });
    expect(displaySize(64, 64)).toEqual({ width: 256, height: 256 });
  });

  it('never gives a zero or invalid size (the contract wants positive sizes)', () => {
    expect(displaySize(1, 10000)).toEqual({ width: 1, height: 256 });
    expect(displaySize(0, 0)).toEqual({ width: 256, height: 256 });
    expect(displaySize(Number.NaN, 10)).toEqual({ width: 256, height: 256 });
  });

  it('a single dropped image is centred under the cursor', () => {
    expect(placeRow([{ width: 256, height: 192 }], { x: 500, y: 300 })).toEqual([{ x: 372, y: 204, width: 256, height: 192 }]);
  });

  it('several dropped images form a row without overlapping', () => {
    const rects = placeRow(
      [
        { width: 256, height: 256 },
        { width: 128, height: 256 },
        { width: 256, height: 192 },
      ],
      { x: 0, y: 0 },
      20,
    );
    expect(rects.map((rect) => rect.x)).toEqual([-128, 148, 296]);
    expect(rects.every((rect) => rect.y === -128)).toBe(true);
    for (let a = 0; a < rects.length; a++) {
      for (let b = a + 1; b < rects.length; b++) {
        expect(rectsIntersect(rects[a]!, rects[b]!)).toBe(false);
      }
    }
  });

  it('restored references stand in a column left of the image, clear of it', () => {
    const anchor = { x: 1000, y: 200, width: 256, height: 256 };
    const rects = placeColumnLeftOf(
      anchor,
      [
        { width: 256, height: 192 },
        { width: 128, height: 256 },
      ],
      20,
    );
    expect(rects[0]).toEqual({ x: 704, y: 200, width: 256, height: 192 });
    // Right edges line up, facing the image.
    expect(rects[1]).toEqual({ x: 832, y: 412, width: 128, height: 256 });
    for (const rect of rects) {
      expect(rectsIntersect(rect, anchor)).toBe(false);
    }
    expect(rectsIntersect(rects[0]!, rects[1]!)).toBe(false);
  });
});

describe('ghost of a running batch', () => {
  it('stands right of everything, clear of it', () => {
    const bounds = { x: -100, y: 40, width: 600, height: 300 };
    const ghost = ghostRect(bounds);
    expect(ghost.x).toBeGreaterThan(500);
    expect(ghost.y).toBe(40);
    expect(rectsIntersect(ghost, bounds)).toBe(false);
    expect(ghostRect(null)).toEqual({ x: -128, y: -128, width: 256, height: 256 });
  });
});
