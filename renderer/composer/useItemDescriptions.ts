/**
 * The names of a board's items, the same the canvas shows ("Reference: cat.png", "Result 2: The cat
 * in…"), from the same sources: the file names the canvas remembered and the results' prompts.
 */
import { useMemo } from 'react';
import type { BoardItem } from '../../preload/contract';
import { loadAssetNames } from '../canvas/asset-names';
import { describeItems, type ItemDescription } from '../canvas/item-labels';
import { useResultPrompts } from '../canvas/useResultPrompts';

export function useItemDescriptions(boardId: string, items: readonly BoardItem[] | null): ReadonlyMap<string, ItemDescription> {
  const prompts = useResultPrompts(boardId, items);
  return useMemo(() => {
    // Read again with every new list: the canvas stores a file's name just before its item appears.
    const names = loadAssetNames();
    return describeItems(items ?? [], { nameOf: (sha) => names[sha] ?? null, promptOf: (id) => prompts.get(id) ?? null });
  }, [items, prompts]);
}
