/**
 * Where the camera looks: the board is drawn at `scale`, shifted by (x, y) screen pixels, so a board
 * point p appears at p·scale + (x, y). Pure math for pan, zoom about a point and fit-to-screen.
 */
import type { Point } from './command-stack';

export interface Viewport {
  x: number;
  y: number;
  scale: number;
}

export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface Size {
  width: number;
  height: number;
}

/** 5 % lets a few hundred items fit; 800 % is enough to inspect pixels of a 512 px thumbnail. */
export const minScale = 0.05;
export const maxScale = 8;
/** One click of "Zoom in" / "Zoom out". */
export const zoomStep = 1.25;
/** Room left around the items by "Fit to screen", in screen pixels. */
export const fitPaddingPx = 48;

export const defaultViewport: Viewport = { x: 0, y: 0, scale: 1 };

export function clampScale(scale: number): number {
  if (!Number.isFinite(scale)) {
    return 1;
  }
  return Math.min(maxScale, Math.max(minScale, scale));
}

export function screenToBoard(view: Viewport, point: Point): Point {
  return { x: (point.x - view.x) / view.scale, y: (point.y - view.y) / view.scale };
}

export function boardToScreen(view: Viewport, point: Point): Point {
  return { x: point.x * view.scale + view.x, y: point.y * view.scale + view.y };
}

export function panBy(view: Viewport, dx: number, dy: number): Viewport {
  return { ...view, x: view.x + dx, y: view.y + dy };
}

/** Zooms by `factor` keeping the board point under `anchor` (a screen point) where it is. */
export function zoomAt(view: Viewport, anchor: Point, factor: number): Viewport {
  const scale = clampScale(view.scale * factor);
  const fixed = screenToBoard(view, anchor);
  return { scale, x: anchor.x - fixed.x * scale, y: anchor.y - fixed.y * scale };
}

/**
 * Ctrl+wheel (and a trackpad pinch, which browsers report as Ctrl+wheel) → zoom factor. Mouse wheels
 * send about ±100 per notch, pinches a few units per event; the exponential keeps both smooth.
 */
export function wheelZoomFactor(deltaY: number, deltaMode: number): number {
  const pixels = deltaMode === 1 ? deltaY * 16 : deltaMode === 2 ? deltaY * 400 : deltaY;
  const clamped = Math.max(-300, Math.min(300, pixels));
  return Math.exp(-clamped * 0.0025);
}

/** Wheel deltas in pixels (line and page modes converted) for scrolling the board. */
export function wheelPanDelta(deltaX: number, deltaY: number, deltaMode: number): Point {
  const unit = deltaMode === 1 ? 16 : deltaMode === 2 ? 400 : 1;
  return { x: -deltaX * unit, y: -deltaY * unit };
}

/** The smallest rectangle holding all `rects`; null for none. */
export function boundsOf(rects: readonly Rect[]): Rect | null {
  if (rects.length === 0) {
    return null;
  }
  let left = Infinity;
  let top = Infinity;
  let right = -Infinity;
  let bottom = -Infinity;
  for (const rect of rects) {
    left = Math.min(left, rect.x);
    top = Math.min(top, rect.y);
    right = Math.max(right, rect.x + rect.width);
    bottom = Math.max(bottom, rect.y + rect.height);
  }
  return { x: left, y: top, width: right - left, height: bottom - top };
}

/**
 * The viewport that shows all of `bounds` centred in a screen of `screen` size, never zoomed in
 * past 100 % (a single small image should not fill the screen blurred).
 */
export function fitBounds(bounds: Rect | null, screen: Size, padding = fitPaddingPx): Viewport {
  if (bounds === null || screen.width <= 0 || screen.height <= 0) {
    return { ...defaultViewport, x: screen.width / 2, y: screen.height / 2 };
  }
  const room = { width: Math.max(1, screen.width - 2 * padding), height: Math.max(1, screen.height - 2 * padding) };
  const fitted = Math.min(room.width / Math.max(bounds.width, 1), room.height / Math.max(bounds.height, 1));
  const scale = clampScale(Math.min(1, fitted));
  const centre = { x: bounds.x + bounds.width / 2, y: bounds.y + bounds.height / 2 };
  return { scale, x: screen.width / 2 - centre.x * scale, y: screen.height / 2 - centre.y * scale };
}

/** The rectangle between two corners, whichever way the user dragged. */
export function rectBetween(a: Point, b: Point): Rect {
  return { x: Math.min(a.x, b.x), y: Math.min(a.y, b.y), width: Math.abs(a.x - b.x), height: Math.abs(a.y - b.y) };
}

export function rectsIntersect(a: Rect, b: Rect): boolean {
  return a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;
}

export function rectContains(rect: Rect, point: Point): boolean {
  return point.x >= rect.x && point.x <= rect.x + rect.width && point.y >= rect.y && point.y <= rect.y + rect.height;
}

/** The part of the board the screen shows, in board units. */
export function visibleBoardRect(view: Viewport, screen: Size): Rect {
  const topLeft = screenToBoard(view, { x: 0, y: 0 });
  return { x: topLeft.x, y: topLeft.y, width: screen.width / view.scale, height: screen.height / view.scale };
}

/** A stored viewport read back from localStorage: anything malformed gives null (use a fit instead). */
export function parseViewport(raw: string | null): Viewport | null {
  if (raw === null) {
    return null;
  }
  try {
    const value = JSON.parse(raw) as Partial<Record<keyof Viewport, unknown>>;
    const { x, y, scale } = value;
    if (typeof x !== 'number' || typeof y !== 'number' || typeof scale !== 'number') {
      return null;
    }
    if (![x, y, scale].every(Number.isFinite) || scale <= 0) {
      return null;
    }
    return { x, y, scale: clampScale(scale) };
  } catch {
    return null;
  }
}

/** Board units between the dots of the background grid. */
export const gridStepUnits = 32;

/**
 * Screen pixels between background dots: the grid's step at this zoom, doubled until the dots are
 * at least `minPx` apart so a zoomed-out board is not a grey smear.
 */
export function gridSpacingPx(scale: number, minPx = 12): number {
  let spacing = gridStepUnits * scale;
  while (spacing < minPx) {
    spacing *= 2;
  }
  return spacing;
}

/**
 * The thumbnail size (longer side, pixels) that keeps an item of `itemSize` board units sharp at this
 * zoom on this screen, from the sizes the library serves; smaller thumbnails draw faster.
 */
export function thumbnailSizeFor(scale: number, pixelRatio: number, itemSize = 256): 128 | 256 | 512 {
  const needed = itemSize * scale * pixelRatio;
  if (needed <= 128) {
    return 128;
  }
  return needed <= 256 ? 256 : 512;
}

/** The visible board area grown by `marginPx` screen pixels on every side (items just outside stay drawn). */
export function cullingRect(view: Viewport, screen: Size, marginPx = 200): Rect {
  const visible = visibleBoardRect(view, screen);
  const margin = marginPx / view.scale;
  return { x: visible.x - margin, y: visible.y - margin, width: visible.width + 2 * margin, height: visible.height + 2 * margin };
}

/**
 * `rect` grown to the grid of `step` units. While panning, the grown rectangle stays the same until
 * the view crosses a grid line, so what is drawn is not recomputed on every frame.
 */
export function snapOutward(rect: Rect, step: number): Rect {
  if (!(step > 0)) {
    return rect;
  }
  const left = Math.floor(rect.x / step) * step;
  const top = Math.floor(rect.y / step) * step;
  const right = Math.ceil((rect.x + rect.width) / step) * step;
  const bottom = Math.ceil((rect.y + rect.height) / step) * step;
  return { x: left, y: top, width: right - left, height: bottom - top };
}

/**
 * The least pan that brings `rect` (board units) fully on screen with `padding` pixels to spare; when
 * it cannot fit at this zoom, the view fits it instead. An already visible rect leaves the view alone.
 */
export function revealRect(view: Viewport, screen: Size, rect: Rect, padding = fitPaddingPx): Viewport {
  const topLeft = boardToScreen(view, { x: rect.x, y: rect.y });
  const bottomRight = boardToScreen(view, { x: rect.x + rect.width, y: rect.y + rect.height });
  if (bottomRight.x - topLeft.x > screen.width - 2 * padding || bottomRight.y - topLeft.y > screen.height - 2 * padding) {
    return fitBounds(rect, screen, padding);
  }
  const shift = (low: number, high: number, size: number) => (low < padding ? padding - low : high > size - padding ? size - padding - high : 0);
  const dx = shift(topLeft.x, bottomRight.x, screen.width);
  const dy = shift(topLeft.y, bottomRight.y, screen.height);
  return dx === 0 && dy === 0 ? view : panBy(view, dx, dy);
}
