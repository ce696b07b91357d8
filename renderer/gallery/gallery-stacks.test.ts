import { describe, expect, it } from 'vitest';
import type { Generation } from '../../preload/contract';
import { stackTiles } from './gallery-stacks';

function image(id: string, batchId: string, variation: number): Generation {
  return {
    id,
    batchId,
    variation,
    boardId: null,
    modelId: null,
    prompt: 'a cat',
    references: [],
    seed: '7',
    params: { cfgScale: 3, temperature: 1, topK: 0, topP: 1 },
    status: 'done',
    error: null,
    resultSha256: 'a'.repeat(64),
    rating: null,
    starred: false,
    trashedAt: null,
    queuePosition: 0,
    createdAt: 1,
    startedAt: 1,
    finishedAt: 2,
  };
}

describe('stackTiles', () => {
  // Newest first, as generations:search returns them: variation 2 before 1 before 0.
  const rows = [image('a2', 'A', 2), image('a1', 'A', 1), image('b0', 'B', 0), image('a0', 'A', 0)];

  it('shows a batch as one tile covered by its first variation, in the order it first appears', () => {
    const tiles = stackTiles(rows, new Set());
    expect(tiles.map((tile) => [tile.key, tile.cover.id, tile.members.length, tile.batchSize])).toEqual([
      ['A', 'a0', 3, 3],
      ['b0', 'b0', 1, 1],
    ]);
  });

  it('gives each variation its own tile once the stack is opened', () => {
    const tiles = stackTiles(rows, new Set(['A', 'B']));
    expect(tiles.map((tile) => [tile.key, tile.open])).toEqual([
      ['a0', true],
      ['a1', true],
      ['a2', true],
      ['b0', false],
    ]);
  });

  it('joins a stack split across pages', () => {
    const firstPage = rows.slice(0, 2);
    expect(stackTiles(firstPage, new Set())).toHaveLength(1);
    expect(stackTiles([...firstPage, ...rows.slice(2)], new Set())[0]!.members).toHaveLength(3);
  });
});
