import { describe, expect, it } from 'vitest';
import {
  boardToScreen,
  boundsOf,
  fitBounds,
  gridSpacingPx,
  cullingRect,
  thumbnailSizeFor,
  snapOutward,
  revealRect,
  maxScale,
  minScale,
  parseViewport,
  rectBetween,
  rectsIntersect,
  screenToBoard,
  visibleBoardRect,
  wheelZoomFactor,
  zoomAt,
  type Viewport,
} from './viewport';

describe('viewport', () => {
  it('converts between screen and board both ways', () => {
    const view: Viewport = { x: 100, y: -40, scale: 2 };
    const board = { x: 10, y: 20 };
    expect(boardToScreen(view, board)).toEqual({ x: 120, y: 0 });
    expect(screenToBoard(view, boardToScreen(view, board))).toEqual(board);
  });

  it('zooming keeps the point under the cursor in place', () => {
    const view: Viewport = { x: 30, y: 70, scale: 0.8 };
    const cursor = { x: 400, y: 250 };
    const before = screenToBoard(view, cursor);
    const zoomed = zoomAt(view, cursor, 1.7);
    expect(zoomed.scale).toBeCloseTo(1.36);
    const after = screenToBoard(zoomed, cursor);
    expect(after.x).toBeCloseTo(before.x);
    expect(after.y).toBeCloseTo(before.y);
  });

  it('zoom stops at the limits instead of flipping or vanishing', () => {
    let view: Viewport = { x: 0, y: 0, scale: 1 };
    for (let step = 0; step < 100; step++) {
      view = zoomAt(view, { x: 0, y: 0 }, 2);
    }
    expect(view.scale).toBe(maxScale);
    for (let step = 0; step < 100; step++) {
      view = zoomAt(view, { x: 0, y: 0 }, 0.5);
    }
    expect(view.scale).toBe(minScale);
  });

  it('wheel up zooms in, wheel down zooms out, a huge delta is tamed', () => {
    expect(wheelZoomFactor(-100, 0)).toBeGreaterThan(1);
    expect(wheelZoomFactor(100, 0)).toBeLessThan(1);
    expect(wheelZoomFactor(100000, 0)).toBeCloseTo(wheelZoomFactor(300, 0));
    // Line mode (Firefox mouse wheels) counts lines, not pixels.
    expect(wheelZoomFactor(3, 1)).toBeCloseTo(wheelZoomFactor(48, 0));
  });

  it('fit to screen centres all items and leaves padding', () => {
    const items = [
      { x: 0, y: 0, width: 256, height: 256 },
      { x: 1000, y: 500, width: 256, height: 128 },
    ];
    const bounds = boundsOf(items);
    expect(bounds).toEqual({ x: 0, y: 0, width: 1256, height: 628 });
    const screen = { width: 800, height: 600 };
    const view = fitBounds(bounds, screen, 50);
    const topLeft = boardToScreen(view, { x: 0, y: 0 });
    const bottomRight = boardToScreen(view, { x: 1256, y: 628 });
    expect(topLeft.x).toBeCloseTo(50);
    expect(bottomRight.x).toBeCloseTo(750);
    expect(topLeft.y).toBeGreaterThanOrEqual(50 - 1e-9);
    expect(bottomRight.y).toBeLessThanOrEqual(550 + 1e-9);
    expect((topLeft.y + bottomRight.y) / 2).toBeCloseTo(300);
  });

  it('fit never enlarges a lone small image past 100 %', () => {
    const view = fitBounds({ x: 10, y: 10, width: 100, height: 100 }, { width: 1920, height: 1080 });
    expect(view.scale).toBe(1);
    expect(boardToScreen(view, { x: 60, y: 60 })).toEqual({ x: 960, y: 540 });
  });

  it('fit of an empty board puts the origin in the middle at 100 %', () => {
    expect(fitBounds(null, { width: 800, height: 600 })).toEqual({ x: 400, y: 300, scale: 1 });
  });

  it('rubber band rectangles work whichever way they are dragged', () => {
    expect(rectBetween({ x: 50, y: 80 }, { x: 10, y: 20 })).toEqual({ x: 10, y: 20, width: 40, height: 60 });
    const band = rectBetween({ x: 0, y: 0 }, { x: 100, y: 100 });
    expect(rectsIntersect(band, { x: 90, y: 90, width: 50, height: 50 })).toBe(true);
    expect(rectsIntersect(band, { x: 100, y: 0, width: 50, height: 50 })).toBe(false);
  });

  it('knows which part of the board is on screen', () => {
    expect(visibleBoardRect({ x: -200, y: 100, scale: 2 }, { width: 800, height: 600 })).toEqual({
      x: 100,
      y: -50,
      width: 400,
      height: 300,
    });
  });

  it('reads back a stored viewport and refuses a damaged one', () => {
    expect(parseViewport('{"x":10,"y":-5,"scale":0.5}')).toEqual({ x: 10, y: -5, scale: 0.5 });
    expect(parseViewport('{"x":10,"y":-5,"scale":99}')).toEqual({ x: 10, y: -5, scale: maxScale });
    expect(parseViewport('{"x":"10","y":-5,"scale":1}')).toBeNull();
    expect(parseViewport('{"x":10,"y":-5,"scale":0}')).toBeNull();
    expect(parseViewport('not json')).toBeNull();
    expect(parseViewport(null)).toBeNull();
  });
});

describe('background grid', () => {
  it('follows the zoom but never packs the dots tighter than the minimum', () => {
    expect(gridSpacingPx(1)).toBe(32);
    expect(gridSpacingPx(2)).toBe(64);
    expect(gridSpacingPx(0.25)).toBe(16);
    expect(gridSpacingPx(0.05)).toBeGreaterThanOrEqual(12);
    expect(gridSpacingPx(0.05)).toBeLessThan(24);
  });
});

describe('drawing economy', () => {
  it('asks for the smallest thumbnail that stays sharp', () => {
    expect(thumbnailSizeFor(0.3, 1)).toBe(128);
    expect(thumbnailSizeFor(0.77, 1)).toBe(256);
    expect(thumbnailSizeFor(0.77, 2)).toBe(512);
    expect(thumbnailSizeFor(4, 1)).toBe(512);
  });

  it('culls with a margin around the screen', () => {
    expect(cullingRect({ x: 0, y: 0, scale: 2 }, { width: 800, height: 600 }, 100)).toEqual({ x: -50, y: -50, width: 500, height: 400 });
  });
});

describe('snapOutward', () => {
  it('grows a rectangle to grid lines and stays put for small moves', () => {
    expect(snapOutward({ x: 10, y: -10, width: 100, height: 50 }, 64)).toEqual({ x: 0, y: -64, width: 128, height: 128 });
    expect(snapOutward({ x: 12, y: -8, width: 100, height: 50 }, 64)).toEqual(snapOutward({ x: 10, y: -10, width: 100, height: 50 }, 64));
  });
});

describe('revealRect', () => {
  const screen = { width: 800, height: 600 };
  it('leaves a visible rectangle alone and pans just enough for one off screen', () => {
    const view = { x: 0, y: 0, scale: 1 };
    expect(revealRect(view, screen, { x: 100, y: 100, width: 200, height: 200 }, 20)).toBe(view);
    expect(revealRect(view, screen, { x: -150, y: 100, width: 200, height: 200 }, 20)).toEqual({ x: 170, y: 0, scale: 1 });
    expect(revealRect(view, screen, { x: 700, y: 500, width: 200, height: 200 }, 20)).toEqual({ x: -120, y: -120, scale: 1 });
  });

  it('fits a rectangle too big for the screen', () => {
    const view = revealRect({ x: 0, y: 0, scale: 1 }, screen, { x: 0, y: 0, width: 3000, height: 100 }, 20);
    expect(view.scale).toBeCloseTo(760 / 3000);
  });
});
