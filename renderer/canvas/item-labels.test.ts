import { describe, expect, it } from 'vitest';
import type { BoardItem } from '../../preload/contract';
import { describeItems, firstWords } from './item-labels';

let nextId = 0;
function item(overrides: Partial<BoardItem>): BoardItem {
  nextId++;
  return {
    id: `00000000-0000-4000-8000-${String(nextId).padStart(12, '0')}`,
    boardId: '00000000-0000-4000-8000-ffffffffffff',
    kind: 'reference',
    assetSha256: 'a'.repeat(64),
    generationId: null,
    sourceItemIds: [],
    x: 0,
    y: 0,
    width: 256,
    height: 256,
    zIndex: nextId,
    name: null,
    createdAt: 1000 + nextId,
    ...overrides,
  };
}

describe('item labels', () => {
  it('shortens a prompt to its first words', () => {
    expect(firstWords('  The cat in <image>.\n A cat as a 16-bit pixel-art hero ')).toBe('The cat in <image>. A cat…');
    expect(firstWords('A red apple')).toBe('A red apple');
  });

  it('names references by file name and results by number, prompt and lineage', () => {
    const a = item({ assetSha256: '1'.repeat(64) });
    const b = item({ assetSha256: '2'.repeat(64) });
    const pasted = item({ assetSha256: '3'.repeat(64) });
    const first = item({ kind: 'generation', generationId: 'g1', sourceItemIds: [a.id, b.id], createdAt: 5000 });
    const second = item({ kind: 'generation', generationId: 'g2', sourceItemIds: [first.id], createdAt: 6000 });
    const names: Record<string, string> = { ['1'.repeat(64)]: 'a.png', ['2'.repeat(64)]: 'b.png' };
    const prompts: Record<string, string> = { g1: 'The cat in <image> and the dog in <image>', g2: 'A cat as a knight' };
    // The list may come in any order; numbering follows creation time.
    const described = describeItems([second, pasted, first, a, b], {
      nameOf: (sha) => names[sha] ?? null,
      promptOf: (id) => prompts[id] ?? null,
    });
    expect(described.get(a.id)).toEqual({ label: 'Reference: a.png', lineage: null });
    expect(described.get(pasted.id)).toEqual({ label: 'Reference: image', lineage: null });
    expect(described.get(first.id)).toEqual({
      label: 'Result 1: The cat in <image> and the…',
      lineage: 'made from Reference: a.png, Reference: b.png',
    });
    expect(described.get(second.id)).toEqual({
      label: 'Result 2: A cat as a knight',
      lineage: 'made from Result 1: The cat in <image> and the…',
    });
  });

  it('a result whose prompt is not read yet is still named, and a deleted source is said so', () => {
    const result = item({ kind: 'generation', generationId: 'unknown', sourceItemIds: ['gone'] });
    const described = describeItems([result], { nameOf: () => null, promptOf: () => null });
    expect(described.get(result.id)).toEqual({ label: 'Result 1', lineage: 'made from an item no longer on this board' });
  });
});
