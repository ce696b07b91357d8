import { randomUUID } from 'node:crypto';
import type { Database } from 'better-sqlite3';
import { BoardName, type Board } from '../../preload/contract';
import { StudioFailure } from '../services/studio-failure';
import { lazyStatements } from './lazy-statements';

export type BoardsRepository = {
  /** Boards not in the trash, oldest first. */
  list(): Board[];
  get(id: string): Board;
  create(name: string): Board;
  rename(id: string, name: string): Board;
  /** Moves the board to the trash (sets `deleted_at`); its items stay so it can be restored. */
  remove(id: string): void;
};

export type BoardsRepositoryOptions = { now?: () => number };

type BoardRow = { id: string; name: string; item_count: number; created_at: number; updated_at: number };

const selectBoards = `
  SELECT b.id, b.name, b.created_at, b.updated_at,
         (SELECT count(*) FROM board_items i WHERE i.board_id = b.id AND i.deleted_at IS NULL) AS item_count
  FROM boards b
  WHERE b.deleted_at IS NULL`;

/**
 * Boards on top of the library database. The list is in creation order, not "recently updated": adding
 * an item or renaming must not make boards jump around under the user's pointer, and a stable order is
 * what a sidebar of tabs needs. Ties (same millisecond) fall back to insertion order.
 */
export function createBoardsRepository(db: Database, options: BoardsRepositoryOptions = {}): BoardsRepository {
  const now = options.now ?? Date.now;
  // Prepared on first use: a library being upgraded step by step may not have every column yet.
  const sql = lazyStatements(db);

  const get = (id: string): Board => {
    const row = sql<[string], BoardRow>(`${selectBoards} AND b.id = ?`).get(id);
    if (row === undefined) {
      throw notFound(id);
    }
    return toBoard(row);
  };

  return {
    list: () => sql<[], BoardRow>(`${selectBoards} ORDER BY b.created_at, b.rowid`).all().map(toBoard),
    get,
    create(name) {
      const id = randomUUID();
      const time = now();
      sql('INSERT INTO boards (id, name, created_at, updated_at) VALUES (?, ?, ?, ?)').run(id, checkedName(name), time, time);
      return get(id);
    },
    rename(id, name) {
      if (sql('UPDATE boards SET name = ?, updated_at = ? WHERE id = ? AND deleted_at IS NULL').run(checkedName(name), now(), id).changes === 0) {
        throw notFound(id);
      }
      return get(id);
    },
    remove(id) {
      if (sql('UPDATE boards SET deleted_at = ? WHERE id = ? AND deleted_at IS NULL').run(now(), id).changes === 0) {
        throw notFound(id);
      }
    },
  };
}

/** The router already validated the name; checking again keeps the repository safe on its own. */
function checkedName(name: string): string {
  const parsed = BoardName.safeParse(name);
  if (!parsed.success) {
    throw new StudioFailure('validation_failed', parsed.error.issues[0]?.message ?? 'Invalid board name');
  }
  return parsed.data;
}

function notFound(id: string): StudioFailure {
  return new StudioFailure('not_found', `No board with id ${id}`);
}

function toBoard(row: BoardRow): Board {
  return { id: row.id, name: row.name, itemCount: row.item_count, createdAt: row.created_at, updatedAt: row.updated_at };
}
