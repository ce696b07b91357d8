import { describe, expect, it } from 'vitest';
import { clickItem, keepExisting, pressItem, selectInBand } from './selection';

describe('selection', () => {
  it('a press selects that item alone; shift toggles it', () => {
    expect(pressItem(['a', 'b'], 'c', false)).toEqual(['c']);
    expect(pressItem(['a'], 'b', true)).toEqual(['a', 'b']);
    expect(pressItem(['a', 'b'], 'a', true)).toEqual(['b']);
  });

  it('pressing an item already selected keeps the group, so a drag moves all of them', () => {
    const selection = ['a', 'b'];
    expect(pressItem(selection, 'b', false)).toBe(selection);
    // A click without a drag then narrows it to that one item.
    expect(clickItem(selection, 'b', false)).toEqual(['b']);
    expect(clickItem(selection, 'b', true)).toBe(selection);
  });

  it('the rubber band selects what it touches, shift adds to what was selected', () => {
    const items = [
      { id: 'a', x: 0, y: 0, width: 100, height: 100 },
      { id: 'b', x: 200, y: 0, width: 100, height: 100 },
      { id: 'c', x: 0, y: 300, width: 100, height: 100 },
    ];
    const band = { x: 50, y: 50, width: 200, height: 10 };
    expect(selectInBand(['c'], items, band, false)).toEqual(['a', 'b']);
    expect(selectInBand(['c', 'a'], items, band, true)).toEqual(['c', 'a', 'b']);
    expect(selectInBand(['c'], items, { x: 500, y: 500, width: 10, height: 10 }, false)).toEqual([]);
  });

  it('forgets items that left the board', () => {
    expect(keepExisting(['a', 'b', 'c'], new Set(['a', 'c']))).toEqual(['a', 'c']);
    const same = ['a'];
    expect(keepExisting(same, new Set(['a']))).toBe(same);
  });
});
