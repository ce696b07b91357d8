import { describe, expect, it } from 'vitest';
import type { BoardItem } from '../../preload/contract';
import { mergeItems, withPositions, withoutItems } from './item-list';

function item(id: string, zIndex: number, x = 0): BoardItem {
  return {
    id,
    boardId: 'board',
    kind: 'reference',
    assetSha256: 'a'.repeat(64),
    generationId: null,
    sourceItemIds: [],
    x,
    y: 0,
    width: 256,
    height: 256,
    zIndex,
    name: null,
    createdAt: zIndex,
  };
}

describe('local item edits', () => {
  it('merges restored and moved items back in z order', () => {
    const current = [item('a', 1), item('c', 3)];
    const merged = mergeItems(current, [item('b', 2), item('c', 3, 99)]);
    expect(merged.map((entry) => entry.id)).toEqual(['a', 'b', 'c']);
    expect(merged[2]?.x).toBe(99);
    // The input is left alone.
    expect(current.map((entry) => entry.id)).toEqual(['a', 'c']);
  });

  it('removes deleted items and moves others', () => {
    const current = [item('a', 1), item('b', 2), item('c', 3)];
    expect(withoutItems(current, ['b', 'zzz']).map((entry) => entry.id)).toEqual(['a', 'c']);
    const moved = withPositions(current, new Map([['b', { x: 10, y: 20 }]]));
    expect(moved[1]).toMatchObject({ id: 'b', x: 10, y: 20 });
    expect(moved[0]).toBe(current[0]);
  });
});
