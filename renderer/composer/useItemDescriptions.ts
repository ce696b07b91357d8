/**
 * The names of a board's items, the same the canvas shows ("Reference: cat.png", "Result 2: The cat
 * in…"): references by the file name the canvas remembered, results by their prompt, read once per
 * generation and kept.
 */
import { useEffect, useMemo, useRef, useState } from 'react';
import type { BoardItem } from '../../preload/contract';
import { loadAssetNames } from '../canvas/asset-names';
import { describeItems, type ItemDescription } from '../canvas/item-labels';
import { useStudioClient } from '../state/studio-client-context';

export function useItemDescriptions(items: readonly BoardItem[] | null): ReadonlyMap<string, ItemDescription> {
  const client = useStudioClient();
  const [prompts, setPrompts] = useState<ReadonlyMap<string, string>>(new Map());

  // Generations asked for already (answered or not), so a re-render never asks twice.
  const asked = useRef(new Set<string>());

  useEffect(() => {
    const missing = (items ?? [])
      .map((item) => item.generationId)
      .filter((id): id is string => id !== null && !asked.current.has(id));
    if (missing.length === 0) {
      return;
    }
    for (const id of missing) {
      asked.current.add(id);
    }
    void Promise.all(missing.map((id) => client.call('generations:get', { id }))).then((results) => {
      setPrompts((current) => {
        const next = new Map(current);
        results.forEach((result, index) => {
          // A generation that cannot be read is named by its number alone.
          next.set(missing[index] as string, result.ok ? result.value.prompt : '');
        });
        return next;
      });
    });
  }, [client, items]);

  return useMemo(() => {
    // Re-read with the items: the canvas stores a name when it imports a file, just before the item appears.
    const names = loadAssetNames();
    return describeItems(items ?? [], {
      nameOf: (sha) => names[sha] ?? null,
      promptOf: (id) => {
        const prompt = prompts.get(id);
        return prompt === undefined || prompt === '' ? null : prompt;
      },
    });
  }, [items, prompts]);
}
