import { describe, expect, it } from 'vitest';
import type { BoardItem } from '../../preload/contract';
import { chipState, isBlank, promptProblems } from './prompt-problems';
import type { Segment } from './prompt-segments';

const cat: BoardItem = {
  id: 'cat',
  boardId: 'board',
  kind: 'reference',
  assetSha256: 'c'.repeat(64),
  generationId: null,
  name: null,
  sourceItemIds: [],
  x: 0,
  y: 0,
  width: 1,
  height: 1,
  zIndex: 0,
  createdAt: 0,
};
const items = new Map([[cat.id, cat]]);
const chip = (itemId: string | null, missingSha256?: string): Segment =>
  missingSha256 === undefined ? { kind: 'image', itemId } : { kind: 'image', itemId, missingSha256 };

describe('prompt problems', () => {
  it('accepts a prompt whose chips all have images', () => {
    expect(promptProblems([{ kind: 'text', text: 'The cat in ' }, chip('cat')], items)).toEqual([]);
  });

  it('names each chip that cannot be used, by its number and why', () => {
    const problems = promptProblems([chip('cat'), chip(null), chip('gone'), chip(null, 'f'.repeat(64))], items);
    expect(problems).toEqual([
      expect.stringMatching(/^Image 2 has no image yet/),
      expect.stringMatching(/^Image 3 was deleted from the board/),
      expect.stringMatching(/^Image 4 is not in the library/),
    ]);
  });

  it('does not call a chip deleted while the board is still being read, or before a new item is listed', () => {
    expect(chipState({ kind: 'image', itemId: 'cat' }, null)).toEqual({ kind: 'loading' });
    expect(promptProblems([chip('cat')], null)).toEqual([]);
    expect(chipState({ kind: 'image', itemId: 'new' }, items, new Set(['new']))).toEqual({ kind: 'loading' });
    expect(promptProblems([chip('new')], items, new Set(['new']))).toEqual([]);
  });

  it('refuses more than 8 images and more than 4000 characters', () => {
    expect(promptProblems(Array.from({ length: 9 }, () => chip('cat')), items)).toEqual(['A prompt can use at most 8 images; this one has 9']);
    expect(promptProblems([{ kind: 'text', text: 'x'.repeat(4001) }], items)).toEqual(['The prompt has 4001 characters; at most 4000 fit']);
  });

  it('sees a prompt of white space as blank', () => {
    expect(isBlank([{ kind: 'text', text: ' \n ' }])).toBe(true);
    expect(isBlank([chip('cat')])).toBe(false);
  });
});
