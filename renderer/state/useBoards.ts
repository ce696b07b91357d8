/**
 * The board list and which board is selected. The list is read once per connection and again on
 * every `boards:changed` (another window may have changed it); the selection is remembered in
 * localStorage so a reload shows the same board.
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import type { Board, Result } from '../../preload/contract';
import { useReportError } from './error-reporter';
import { readLocal, storageKeys, writeLocal } from './local-storage';
import { useConnectionSession, useStudioClient } from './studio-client-context';

export interface BoardsModel {
  /** Null until the first list arrives (or while the library cannot be used). */
  boards: Board[] | null;
  /** Set when the last attempt to read the list failed (the error was reported too). */
  loadFailed: boolean;
  /** Reads the list again. */
  reload(): void;
  /** The remembered board if it still exists, else the first one. */
  selected: Board | null;
  select(id: string): void;
  create(name: string): Promise<Result<Board>>;
  rename(id: string, name: string): Promise<Result<Board>>;
  remove(id: string): Promise<Result<{ id: string }>>;
}

/** `enabled`: false while the library cannot be used; nothing is read then. */
export function useBoards({ enabled }: { enabled: boolean }): BoardsModel {
  const client = useStudioClient();
  const session = useConnectionSession();
  const report = useReportError();
  const [boards, setBoards] = useState<Board[] | null>(null);
  const [loadFailed, setLoadFailed] = useState(false);
  const [selectedId, setSelectedId] = useState<string | null>(() => readLocal(storageKeys.selectedBoardId));
  // Answers can arrive out of order; only the newest request may set the list.
  const latestRequest = useRef(0);

  const refresh = useCallback(async () => {
    const request = ++latestRequest.current;
    const result = await client.call('boards:list', {});
    if (request !== latestRequest.current) {
      return;
    }
    setLoadFailed(!result.ok);
    if (result.ok) {
      setBoards(result.value.boards);
    } else {
      report(result.error);
    }
  }, [client, report]);
  const reload = useCallback(() => void refresh(), [refresh]);

  useEffect(() => {
    if (!enabled || session === null) {
      return;
    }
    void refresh();
    const unsubscribe = client.on('boards:changed', () => void refresh());
    return () => {
      unsubscribe();
      // Drop answers to requests made under the old connection or setting.
      latestRequest.current++;
    };
  }, [client, enabled, session, refresh]);

  const selected = boards?.find((board) => board.id === selectedId) ?? boards?.[0] ?? null;
  const selectedBoardId = selected?.id ?? null;
  const listLoaded = boards !== null;

  useEffect(() => {
    if (listLoaded) {
      writeLocal(storageKeys.selectedBoardId, selectedBoardId);
    }
  }, [listLoaded, selectedBoardId]);

  const create = useCallback(
    async (name: string) => {
      const result = await client.call('boards:create', { name });
      if (result.ok) {
        const board = result.value;
        setBoards((current) =>
          current && !current.some((existing) => existing.id === board.id) ? [...current, board] : current,
        );
        setSelectedId(board.id);
      }
      return result;
    },
    [client],
  );

  const rename = useCallback(
    async (id: string, name: string) => {
      const result = await client.call('boards:rename', { id, name });
      if (result.ok) {
        const board = result.value;
        setBoards((current) => current?.map((existing) => (existing.id === board.id ? board : existing)) ?? null);
      }
      return result;
    },
    [client],
  );

  const remove = useCallback(
    async (id: string) => {
      const result = await client.call('boards:delete', { id });
      if (result.ok) {
        setBoards((current) => current?.filter((existing) => existing.id !== id) ?? null);
      }
      return result;
    },
    [client],
  );

  return { boards, loadFailed, reload, selected, select: setSelectedId, create, rename, remove };
}
