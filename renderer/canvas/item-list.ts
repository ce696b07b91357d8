/** Local edits of a board's item list (bottom to top), mirroring what the library did. */
import type { BoardItem } from '../../preload/contract';
import type { Point } from './command-stack';

/** Puts `updated` items in place of those with the same id and adds new ones, in z order. */
export function mergeItems(current: readonly BoardItem[], updated: readonly BoardItem[]): BoardItem[] {
  const byId = new Map(updated.map((item) => [item.id, item]));
  const known = new Set(current.map((item) => item.id));
  const merged = current.map((item) => byId.get(item.id) ?? item);
  merged.push(...updated.filter((item) => !known.has(item.id)));
  return merged.sort((a, b) => a.zIndex - b.zIndex);
}

export function withoutItems(current: readonly BoardItem[], ids: readonly string[]): BoardItem[] {
  const removed = new Set(ids);
  return current.filter((item) => !removed.has(item.id));
}

export function withPositions(current: readonly BoardItem[], positions: ReadonlyMap<string, Point>): BoardItem[] {
  return current.map((item) => {
    const position = positions.get(item.id);
    return position === undefined ? item : { ...item, x: position.x, y: position.y };
  });
}
