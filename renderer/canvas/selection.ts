/**
 * Which items are selected, as an ordered list of ids (the order the user picked them in, which is
 * the order "Use as reference" adds them to the prompt).
 */
import { rectsIntersect, type Rect } from './viewport';

export type Selection = readonly string[];

export const emptySelection: Selection = [];

/**
 * Pointer down on an item. Plain: that item alone, unless it is already selected (so dragging one of
 * several selected items moves them all). Shift: toggles it in or out.
 */
export function pressItem(selection: Selection, id: string, shift: boolean): Selection {
  if (shift) {
    return selection.includes(id) ? selection.filter((selected) => selected !== id) : [...selection, id];
  }
  return selection.includes(id) ? selection : [id];
}

/** A click (press and release without a drag) on an item without Shift: that item alone. */
export function clickItem(selection: Selection, id: string, shift: boolean): Selection {
  if (shift) {
    return selection;
  }
  return selection.length === 1 && selection[0] === id ? selection : [id];
}

/** Rubber band: the items the band touches; with Shift they join the current selection. */
export function selectInBand(
  selection: Selection,
  items: readonly (Rect & { id: string })[],
  band: Rect,
  shift: boolean,
): Selection {
  const touched = items.filter((item) => rectsIntersect(item, band)).map((item) => item.id);
  if (!shift) {
    return touched;
  }
  return [...selection, ...touched.filter((id) => !selection.includes(id))];
}

/** Drops ids that are no longer on the board (deleted here or elsewhere). */
export function keepExisting(selection: Selection, existing: ReadonlySet<string>): Selection {
  const kept = selection.filter((id) => existing.has(id));
  return kept.length === selection.length ? selection : kept;
}
