/**
 * The names of a board's items, the same the canvas shows ("Reference: cat.png", "Result 2: The cat
 * in…"), from the same sources: the file names the canvas remembered and the results' prompts.
 */
import { useMemo } from 'react';
import type { BoardItem } from '../../preload/contract';
import { loadAssetNames } from '../canvas/asset-names';
import { describeItems, type ItemDescription } from '../canvas/item-labels';

export function useItemDescriptions(items: readonly BoardItem[] | null, prompts: ReadonlyMap<string, string>): ReadonlyMap<string, ItemDescription> {
  return useMemo(() => {
    // Read again with every new list: the canvas stores a file's name just before its item appears.
    const names = loadAssetNames();
    return describeItems(items ?? [], { nameOf: (sha) => names[sha] ?? null, promptOf: (id) => prompts.get(id) ?? null });
  }, [items, prompts]);
}
