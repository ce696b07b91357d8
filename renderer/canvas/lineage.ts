/**
 * Lineage arrows: one from each source item to the result made from it. An arrow leaves the side of
 * the source that faces the result and enters the result's facing side along a gentle curve, so the
 * arrows of a stack of variations run down the gap beside the stack instead of across its images.
 */
import type { Rect } from './viewport';

export interface LineageArrow {
  key: string;
  fromId: string;
  toId: string;
  /** Start, two control points, end, in board units: Konva's `points` for a bezier Arrow. */
  points: [number, number, number, number, number, number, number, number];
}

interface LinkedItem extends Rect {
  id: string;
  sourceItemIds: readonly string[];
}

/** Distance kept between an arrow's ends and the images it joins. */
export const arrowGap = 6;
/** The least pull of the curve's control points away from the images, in board units. */
const minimumPull = 40;

/**
 * The curve from `source` to `target`: horizontal when the target lies wholly to one side, vertical
 * when wholly above or below, none when the two overlap (no room for an arrow to mean anything).
 */
export function lineageCurve(source: Rect, target: Rect): LineageArrow['points'] | null {
  const sourceMiddleY = source.y + source.height / 2;
  const targetMiddleY = target.y + target.height / 2;
  const sourceMiddleX = source.x + source.width / 2;
  const targetMiddleX = target.x + target.width / 2;
  if (target.x >= source.x + source.width || target.x + target.width <= source.x) {
    const rightward = target.x >= source.x + source.width;
    const startX = rightward ? source.x + source.width + arrowGap : source.x - arrowGap;
    const endX = rightward ? target.x - arrowGap : target.x + target.width + arrowGap;
    const pull = Math.max(minimumPull, Math.abs(endX - startX) / 2) * (rightward ? 1 : -1);
    return [startX, sourceMiddleY, startX + pull, sourceMiddleY, endX - pull, targetMiddleY, endX, targetMiddleY];
  }
  if (target.y >= source.y + source.height || target.y + target.height <= source.y) {
    const downward = target.y >= source.y + source.height;
    const startY = downward ? source.y + source.height + arrowGap : source.y - arrowGap;
    const endY = downward ? target.y - arrowGap : target.y + target.height + arrowGap;
    const pull = Math.max(minimumPull, Math.abs(endY - startY) / 2) * (downward ? 1 : -1);
    return [sourceMiddleX, startY, sourceMiddleX, startY + pull, targetMiddleX, endY - pull, targetMiddleX, endY];
  }
  return null;
}

/** Arrows for every item with lineage whose sources are on the board. */
export function lineageArrows(items: readonly LinkedItem[]): LineageArrow[] {
  const byId = new Map(items.map((item) => [item.id, item]));
  const arrows: LineageArrow[] = [];
  for (const target of items) {
    for (const sourceId of new Set(target.sourceItemIds)) {
      const source = byId.get(sourceId);
      if (source === undefined || source === target) {
        continue;
      }
      const points = lineageCurve(source, target);
      if (points !== null) {
        arrows.push({ key: `${source.id}->${target.id}`, fromId: source.id, toId: target.id, points });
      }
    }
  }
  return arrows;
}

/** The box around a curve's points (control points included, so it holds the whole curve). */
export function curveBounds(points: LineageArrow['points']): Rect {
  const xs = [points[0], points[2], points[4], points[6]];
  const ys = [points[1], points[3], points[5], points[7]];
  const left = Math.min(...xs);
  const top = Math.min(...ys);
  return { x: left, y: top, width: Math.max(...xs) - left, height: Math.max(...ys) - top };
}
