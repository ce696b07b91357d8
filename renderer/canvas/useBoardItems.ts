/**
 * The items of one board, as the library has them. Read once per connection and again on every
 * `items:changed` for this board (a finished generation places its results there; another window may
 * move things). Local edits show at once (`apply`) and win over a re-read that started before them.
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import type { BoardItem } from '../../preload/contract';
import { useReportError } from '../state/error-reporter';
import { useConnectionSession, useStudioClient } from '../state/studio-client-context';

export interface BoardItemsModel {
  /** Bottom to top; null until the first read. */
  items: BoardItem[] | null;
  /** The last read failed (and was reported). */
  loadFailed: boolean;
  reload(): void;
  /** Changes the items shown now, before (or without) a re-read. */
  apply(change: (items: BoardItem[]) => BoardItem[]): void;
}

export function useBoardItems(boardId: string): BoardItemsModel {
  const client = useStudioClient();
  const session = useConnectionSession();
  const report = useReportError();
  const [items, setItems] = useState<BoardItem[] | null>(null);
  const [loadFailed, setLoadFailed] = useState(false);
  const latestRequest = useRef(0);
  // Counts local edits: a list read that started before the newest edit may not show it yet.
  const localEdits = useRef(0);

  const refresh = useCallback(async (): Promise<void> => {
    const request = ++latestRequest.current;
    const editsAtStart = localEdits.current;
    const result = await client.call('items:list', { boardId });
    if (request !== latestRequest.current) {
      return;
    }
    if (result.ok && editsAtStart !== localEdits.current) {
      return refresh();
    }
    setLoadFailed(!result.ok);
    if (result.ok) {
      setItems(result.value.items);
    } else {
      report(result.error);
    }
  }, [client, boardId, report]);

  useEffect(() => {
    if (session === null) {
      return;
    }
    void refresh();
    const unsubscribe = client.on('items:changed', (change) => {
      if (change.boardId === boardId) {
        void refresh();
      }
    });
    return () => {
      unsubscribe();
      latestRequest.current++;
    };
  }, [client, boardId, session, refresh]);

  const apply = useCallback((change: (items: BoardItem[]) => BoardItem[]) => {
    localEdits.current++;
    setItems((current) => (current === null ? current : change(current)));
  }, []);

  const reload = useCallback(() => void refresh(), [refresh]);
  return { items, loadFailed, reload, apply };
}
