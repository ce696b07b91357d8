/**
 * The items of one board, for the composer's chips and picker: read with `items:list` once per
 * connection and again on every `items:changed` for that board. Null until the first answer.
 */
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { BoardItem } from '../../preload/contract';
import { useReportError } from '../state/error-reporter';
import { useConnectionSession, useStudioClient } from '../state/studio-client-context';

export interface BoardItems {
  items: BoardItem[] | null;
  byId: ReadonlyMap<string, BoardItem> | null;
  /** Counts the lists read so far; tells "not read yet" from "not there". */
  version: number;
  /** Reads the list again now. */
  refresh(): void;
}

export function useBoardItems(boardId: string | null): BoardItems {
  const client = useStudioClient();
  const session = useConnectionSession();
  const report = useReportError();
  const [state, setState] = useState<{ boardId: string | null; items: BoardItem[] | null; version: number }>({ boardId, items: null, version: 0 });
  const latestRequest = useRef(0);

  const refresh = useCallback(
    async (id: string) => {
      const request = ++latestRequest.current;
      const result = await client.call('items:list', { boardId: id });
      if (request !== latestRequest.current) {
        return;
      }
      if (result.ok) {
        setState((current) => ({ boardId: id, items: result.value.items, version: current.version + 1 }));
      } else if (result.error.code !== 'not_found') {
        // A deleted board has no items to show; any other failure is worth telling.
        report(result.error);
      }
    },
    [client, report],
  );

  useEffect(() => {
    if (boardId === null || session === null) {
      return;
    }
    void refresh(boardId);
    const unsubscribe = client.on('items:changed', (change) => {
      if (change.boardId === boardId) {
        void refresh(boardId);
      }
    });
    return () => {
      unsubscribe();
      latestRequest.current++;
    };
  }, [client, session, boardId, refresh]);

  const items = state.boardId === boardId ? state.items : null;
  const byId = useMemo(() => (items === null ? null : new Map(items.map((item) => [item.id, item]))), [items]);
  const refreshNow = useCallback(() => {
    if (boardId !== null && session !== null) {
      void refresh(boardId);
    }
  }, [boardId, session, refresh]);
  if (boardId === null) {
    return { items: [], byId: new Map(), version: state.version, refresh: refreshNow };
  }
  return { items, byId, version: state.version, refresh: refreshNow };
}
