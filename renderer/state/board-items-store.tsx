/**
 * The selected board's items, one copy shared by the canvas and the prompt composer, with what
 * each is called ("Reference: cat.png", "Result 2: The cat in…", item-labels.ts).
 *
 * The list is read with `items:list` once per connection and again on every `items:changed` for the
 * board. A finished generation places its results there, and another window may move things. Local
 * edits show at once (`apply`), in both the canvas and the composer's chips, and win over a re-read
 * that started before them. One store means one read per change rather than one per consumer.
 */
import { createContext, useCallback, useContext, useEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import type { BoardItem } from '../../preload/contract';
import { loadAssetNames } from '../canvas/asset-names';
import { describeItems, type ItemDescription } from '../canvas/item-labels';
import { useReportError } from './error-reporter';
import { useConnectionSession, useStudioClient } from './studio-client-context';
import { useResultPrompts } from './useResultPrompts';

export interface BoardItemsStore {
  boardId: string;
  /** Bottom to top; null until the first read. */
  items: BoardItem[] | null;
  byId: ReadonlyMap<string, BoardItem> | null;
  /** Counts the lists read so far; tells "not read yet" from "not there". */
  version: number;
  /** The last read failed (and was reported). */
  loadFailed: boolean;
  /** Reads the list again now. */
  reload(): void;
  /** Changes the items shown now, before (or without) a re-read. */
  apply(change: (items: BoardItem[]) => BoardItem[]): void;
  /** Item id → its name and lineage, as the canvas list and the composer's chips show them. */
  descriptions: ReadonlyMap<string, ItemDescription>;
}

const BoardItemsContext = createContext<BoardItemsStore | null>(null);

export function useBoardItemsStore(): BoardItemsStore {
  const store = useContext(BoardItemsContext);
  if (store === null) {
    throw new Error('useBoardItemsStore is used outside a BoardItemsProvider');
  }
  return store;
}

/** Holds one board's items; give it `key={boardId}` so that a board switch starts from nothing. */
export function BoardItemsProvider({ boardId, children }: { boardId: string; children: ReactNode }) {
  const store = useBoardItemsState(boardId);
  return <BoardItemsContext value={store}>{children}</BoardItemsContext>;
}

function useBoardItemsState(boardId: string): BoardItemsStore {
  const client = useStudioClient();
  const session = useConnectionSession();
  const report = useReportError();
  const [list, setList] = useState<{ items: BoardItem[] | null; version: number; loadFailed: boolean }>({ items: null, version: 0, loadFailed: false });
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
    if (result.ok) {
      setList((current) => ({ items: result.value.items, version: current.version + 1, loadFailed: false }));
      return;
    }
    setList((current) => ({ ...current, loadFailed: true }));
    // A board deleted a moment ago has no items to show; any other failure is worth telling.
    if (result.error.code !== 'not_found') {
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
    setList((current) => (current.items === null ? current : { ...current, items: change(current.items) }));
  }, []);
  const reload = useCallback(() => {
    if (session !== null) {
      void refresh();
    }
  }, [session, refresh]);

  const { items, version, loadFailed } = list;
  const byId = useMemo(() => (items === null ? null : new Map(items.map((item) => [item.id, item]))), [items]);
  const prompts = useResultPrompts(boardId, items);
  const descriptions = useMemo(() => {
    // File names are read again with every new list: the canvas stores an imported file's name
    // just before its item appears.
    const names = loadAssetNames();
    return describeItems(items ?? [], { nameOf: (sha) => names[sha] ?? null, promptOf: (id) => prompts.get(id) ?? null });
  }, [items, prompts]);
  return useMemo(
    () => ({ boardId, items, byId, version, loadFailed, reload, apply, descriptions }),
    [boardId, items, byId, version, loadFailed, reload, apply, descriptions],
  );
}
