/**
 * The canvas selection: ordered ids (pick order is the order "Use as reference" adds them), a ref for
 * event handlers that must see the newest value, and items that left the board dropped from it.
 */
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { BoardItem } from '../../preload/contract';
import { emptySelection, keepExisting, pressItem, type Selection } from './selection';

export interface SelectionModel {
  selection: Selection;
  selectionRef: { readonly current: Selection };
  selectedSet: ReadonlySet<string>;
  setSelection(next: Selection): void;
  /** A row of the items list was activated: that item alone, or toggled with Shift. */
  selectFromList(itemId: string, shift: boolean): void;
}

export function useSelection(items: readonly BoardItem[]): SelectionModel {
  const [selection, setSelectionState] = useState<Selection>(emptySelection);
  const selectionRef = useRef(selection);
  const setSelection = useCallback((next: Selection) => {
    selectionRef.current = next;
    setSelectionState(next);
  }, []);

  // Items deleted elsewhere (or undone away) leave the selection.
  useEffect(() => {
    const kept = keepExisting(selectionRef.current, new Set(items.map((item) => item.id)));
    if (kept !== selectionRef.current) {
      setSelection(kept);
    }
  }, [items, setSelection]);

  const selectFromList = useCallback(
    (itemId: string, shift: boolean) => setSelection(shift ? pressItem(selectionRef.current, itemId, true) : [itemId]),
    [setSelection],
  );
  const selectedSet = useMemo(() => new Set(selection), [selection]);
  return { selection, selectionRef, selectedSet, setSelection, selectFromList };
}
