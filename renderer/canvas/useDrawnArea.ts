/**
 * What is worth drawing: the board area on screen plus half a screen around it, snapped to a coarse
 * grid so that panning changes it only now and then (each change re-filters the items).
 */
import { useMemo } from 'react';
import { cullingRect, snapOutward, type Rect, type Size, type Viewport } from './viewport';

export function useDrawnArea(view: Viewport, size: Size): Rect {
  const half = Math.max(size.width, size.height, 1) / 2;
  const snapped = snapOutward(cullingRect(view, size, half), half / view.scale);
  const key = `${snapped.x},${snapped.y},${snapped.width},${snapped.height}`;
  // Keyed by value, so the same area is the same object and memoised filters below keep their result.
  return useMemo(() => snapped, [key]);
}
