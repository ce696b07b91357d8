/**
 * Chips bound to items the board's list does not hold yet. The canvas places an image and hands it
 * to the composer at once, before `items:changed` brings the new list; such an item counts as loading
 * until a list read after it first went missing. One still missing then was deleted.
 */
import { useEffect, useMemo, useRef } from 'react';
import { boundItemIds, type PromptDoc } from './prompt-segments';
import type { BoardItemsStore } from '../state/board-items-store';

export function useUnconfirmedItems(doc: PromptDoc, board: Pick<BoardItemsStore, 'byId' | 'version' | 'reload'>): ReadonlySet<string> {
  const { byId, version, reload } = board;
  // Item id → the list version it was first found missing in.
  const missingSince = useRef(new Map<string, number>());
  const missingKey = byId === null ? '' : boundItemIds(doc).filter((id) => !byId.has(id)).join(',');

  useEffect(() => {
    const fresh = missingKey.split(',').filter((id) => id !== '' && !missingSince.current.has(id));
    for (const id of fresh) {
      missingSince.current.set(id, version);
    }
    if (fresh.length > 0) {
      reload();
    }
  }, [missingKey, version, reload]);

  return useMemo(
    () =>
      new Set(
        missingKey.split(',').filter((id) => {
          if (id === '') {
            return false;
          }
          const since = missingSince.current.get(id);
          return since === undefined || since >= version;
        }),
      ),
    // missingSince changes only in the effect above, which always follows a change of these two.
    [missingKey, version],
  );
}
