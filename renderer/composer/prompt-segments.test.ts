import { describe, expect, it } from 'vitest';
import {
  bindChip,
  boundItemIds,
  deleteBackward,
  deleteForward,
  fromPromptString,
  lineBoundary,
  wordBoundary,
  mentionQuery,
  moveChip,
  promptLength,
  references,
  replaceRange,
  sliceDoc,
  swapChip,
  toPromptString,
  type Segment,
} from './prompt-segments';

const chip = (itemId: string | null): Segment => ({ kind: 'image', itemId });
const text = (value: string): Segment => ({ kind: 'text', text: value });
const caret = (at: number) => ({ start: at, end: at });

const shas: Record<string, string> = { a: 'a'.repeat(64), b: 'b'.repeat(64), c: 'c'.repeat(64) };
const shaOf = (itemId: string) => shas[itemId];

describe('the prompt string and the references', () => {
  it('writes one <image> marker per chip, and the n-th reference is the n-th chip’s image', () => {
    const doc = [text('The cat in '), chip('b'), text('.\nThe dog in '), chip('a'), text('.')];
    expect(toPromptString(doc)).toBe('The cat in <image>.\nThe dog in <image>.');
    expect(references(doc, shaOf)).toEqual([shas.b, shas.a]);
    expect(boundItemIds(doc)).toEqual(['b', 'a']);
  });

  it('has no references when a chip has no image (unbound slot or deleted item)', () => {
    expect(references([text('x '), chip(null)], shaOf)).toBeNull();
    expect(references([chip('gone')], shaOf)).toBeNull();
  });

  it('lists an item used by two chips once in the lineage but twice in the references', () => {
    const doc = [chip('a'), text(' and '), chip('a')];
    expect(references(doc, shaOf)).toEqual([shas.a, shas.a]);
    expect(boundItemIds(doc)).toEqual(['a']);
  });

  it('parses a prompt string back, binding markers in order and marking images not in the library', () => {
    const doc = fromPromptString('<image> then <image> and <image>', ['a', null, null], [undefined, undefined, 'f'.repeat(64)]);
    expect(doc).toEqual([chip('a'), text(' then '), chip(null), text(' and '), { kind: 'image', itemId: null, missingSha256: 'f'.repeat(64) }]);
    expect(toPromptString(doc)).toBe('<image> then <image> and <image>');
  });
});

describe('editing', () => {
  it('counts a chip as one position and inserts text around it', () => {
    const doc = [text('ab'), chip('a'), text('cd')];
    expect(promptLength(doc)).toBe(5);
    const edited = replaceRange(doc, caret(3), 'X');
    expect(edited.doc).toEqual([text('ab'), chip('a'), text('Xcd')]);
    expect(edited.selection).toEqual(caret(4));
  });

  it('deletes a whole chip with one backspace, and the binding of the others follows', () => {
    const doc = [text('A '), chip('a'), text(' B '), chip('b')];
    const edited = deleteBackward(doc, caret(3));
    expect(edited.doc).toEqual([text('A  B '), chip('b')]);
    expect(edited.selection).toEqual(caret(2));
    expect(references(edited.doc, shaOf)).toEqual([shas.b]);
  });

  it('deletes one chip forward, a selection, and a whole emoji', () => {
    expect(deleteForward([chip('a'), text('x')], caret(0)).doc).toEqual([text('x')]);
    expect(deleteBackward([text('abc'), chip('a'), text('def')], { start: 1, end: 5 }).doc).toEqual([text('aef')]);
    expect(deleteBackward([text('a😀')], caret(3)).doc).toEqual([text('a')]);
    expect(deleteForward([text('😀b')], caret(0)).doc).toEqual([text('b')]);
    expect(deleteBackward([text('a')], caret(0)).doc).toEqual([text('a')]);
  });

  it('turns a typed or pasted <image> into an empty chip and keeps the caret after it', () => {
    let edited = replaceRange([text('The cat in <image')], caret(17), '>');
    expect(edited.doc).toEqual([text('The cat in '), chip(null)]);
    expect(edited.selection).toEqual(caret(12));

    edited = replaceRange([text('xy')], caret(1), 'a <image> b\r\nc');
    expect(edited.doc).toEqual([text('xa '), chip(null), text(' b\ncy')]);
    expect(toPromptString(edited.doc)).toBe('xa <image> b\ncy');
    expect(edited.selection).toEqual(caret(1 + 'a '.length + 1 + ' b\nc'.length));
  });

  it('completes a marker typed in the middle and puts the caret after the chip', () => {
    const edited = replaceRange([text('<imae>')], caret(4), 'g');
    expect(edited.doc).toEqual([chip(null)]);
    expect(edited.selection).toEqual(caret(1));
  });

  it('copies a slice with its chips', () => {
    expect(sliceDoc([text('ab'), chip('a'), text('cd')], { start: 1, end: 4 })).toEqual([text('b'), chip('a'), text('c')]);
  });
});

describe('reordering chips', () => {
  it('swaps two chips and leaves the text where it was', () => {
    const doc = [text('The cat in '), chip('a'), text('. The dog in '), chip('b'), text('.')];
    const moved = swapChip(doc, 1, -1);
    expect(moved && toPromptString(moved.doc)).toBe(toPromptString(doc));
    expect(moved && references(moved.doc, shaOf)).toEqual([shas.b, shas.a]);
    expect(swapChip(doc, 0, -1)).toBeNull();
    expect(swapChip(doc, 1, 1)).toBeNull();
  });

  it('moves a dragged chip to another place in the text', () => {
    const doc = [chip('a'), text('abc'), chip('b')];
    const moved = moveChip(doc, 0, 3);
    expect(moved?.doc).toEqual([text('ab'), chip('a'), text('c'), chip('b')]);
    expect(moved?.selection).toEqual(caret(3));
    expect(moveChip(doc, 1, 0)).toBeNull();
  });

  it('binds an empty slot to an item', () => {
    expect(bindChip([chip('a'), chip(null)], 1, 'c')).toEqual([chip('a'), chip('c')]);
  });
});

describe('the @ picker', () => {
  it('reads the word typed after @, and stops at white space', () => {
    expect(mentionQuery([text('The cat in @ref')], 15)).toEqual({ at: 11, query: 'ref' });
    expect(mentionQuery([text('The cat in @')], 12)).toEqual({ at: 11, query: '' });
    expect(mentionQuery([text('a@b\nc')], 5)).toBeNull();
    expect(mentionQuery([text('mail me@home please')], 19)).toBeNull();
    expect(mentionQuery([text('no mention')], 10)).toBeNull();
    expect(mentionQuery([text('@'), chip('a'), text('x')], 3)).toBeNull();
  });
});

describe('word and line deletion', () => {
  it('stops Ctrl+Backspace after one word, taking a chip as a word of its own', () => {
    const doc = [text('The cat in '), chip('a'), text('  ')];
    expect(wordBoundary(doc, 14, -1)).toBe(11);
    expect(wordBoundary(doc, 11, -1)).toBe(8);
    expect(wordBoundary(doc, 7, -1)).toBe(4);
    expect(wordBoundary(doc, 4, 1)).toBe(7);
    expect(wordBoundary(doc, 10, 1)).toBe(12);
    expect(wordBoundary([text('a\n')], 2, -1)).toBe(1);
  });

  it('finds the start and end of the line', () => {
    const doc = [text('one\ntwo '), chip('a'), text(' x\nthree')];
    expect(lineBoundary(doc, 6, -1)).toBe(4);
    expect(lineBoundary(doc, 6, 1)).toBe(11);
  });
});
