/**
 * The prompts of the results on a board, to name them ("Result 2: The cat in …"). One gallery search
 * for the board gets most of them; results not found that way (trashed in the gallery, made on
 * another board) are read one by one. A prompt that cannot be read leaves the name at "Result 2".
 */
import { useEffect, useRef, useState } from 'react';
import type { BoardItem } from '../../preload/contract';
import { useConnectionSession, useStudioClient } from '../state/studio-client-context';

/** Enough for a busy board in one call (the contract's maximum page). */
const searchLimit = 500;

export function useResultPrompts(boardId: string, items: readonly BoardItem[] | null): ReadonlyMap<string, string> {
  const client = useStudioClient();
  const session = useConnectionSession();
  const [prompts, setPrompts] = useState<ReadonlyMap<string, string>>(new Map());
  // Asked for already (found or not), so a missing prompt is not asked for on every re-read.
  const asked = useRef(new Set<string>());
  const searched = useRef(false);

  const wanted = (items ?? [])
    .filter((item) => item.kind === 'generation')
    .map((item) => item.generationId)
    .filter((id): id is string => id !== null && !prompts.has(id) && !asked.current.has(id));
  const wantedKey = [...new Set(wanted)].sort().join(',');

  useEffect(() => {
    if (session === null || wantedKey === '') {
      return;
    }
    let cancelled = false;
    let finished = false;
    const ids = wantedKey.split(',');
    for (const id of ids) {
      asked.current.add(id);
    }
    void (async () => {
      const found = new Map<string, string>();
      const searchFirst = !searched.current;
      if (searchFirst) {
        const result = await client.call('generations:search', { boardId, limit: searchLimit });
        if (result.ok) {
          for (const generation of result.value.generations) {
            found.set(generation.id, generation.prompt);
          }
        }
      }
      const missing = ids.filter((id) => !found.has(id));
      const answers = await Promise.all(missing.map((id) => client.call('generations:get', { id })));
      for (const answer of answers) {
        if (answer.ok) {
          found.set(answer.value.id, answer.value.prompt);
        }
      }
      if (cancelled) {
        return;
      }
      finished = true;
      searched.current ||= searchFirst;
      if (found.size > 0) {
        setPrompts((current) => new Map([...current, ...found]));
      }
    })();
    return () => {
      cancelled = true;
      if (!finished) {
        // Not answered for this render: ask again next time.
        for (const id of ids) {
          asked.current.delete(id);
        }
      }
    };
  }, [client, boardId, session, wantedKey]);

  return prompts;
}
