import { randomUUID } from 'node:crypto';
import type { Database } from 'better-sqlite3';
import { BoardItem } from '../../preload/contract';
import { StudioFailure } from '../services/studio-failure';
import { lazyStatements } from './lazy-statements';

export type NewBoardItem = {
  boardId: string;
  assetSha256: string;
  kind: BoardItem['kind'];
  /** Kept when a generated image is reused as a reference, so its lineage survives the copy. */
  generationId?: string | null | undefined;
  sourceItemIds?: readonly string[] | undefined;
  x: number;
  y: number;
  width: number;
  height: number;
};

/** One item's new geometry or stacking; absent fields stay as they are. */
export type BoardItemChange = {
  id: string;
  x?: number | undefined;
  y?: number | undefined;
  width?: number | undefined;
  height?: number | undefined;
  zIndex?: number | undefined;
};

/** One finished variation to put on the board. */
export type PlacedResult = { generationId: string; assetSha256: string; width: number; height: number };

export type PlaceResultsRequest = {
  boardId: string;
  /** The items whose images were the references; results go to their right. Empty: right of everything. */
  sourceItemIds: readonly string[];
  /** In variation order: stacked top to bottom in this order. */
  results: readonly PlacedResult[];
};

export type BoardItemsRepository = {
  /** The board's items, bottom to top; throws `not_found` for an unknown or trashed board. */
  list(boardId: string): BoardItem[];
  /** Throws `not_found` for an unknown board, asset, generation or source item. Goes on top. */
  add(item: NewBoardItem): BoardItem;
  /** All changes in one transaction: one unknown id and nothing changes. Returns the items in input order. */
  update(changes: readonly BoardItemChange[]): BoardItem[];
  /** Hides the items (undo with `restore`); returns them. Unknown ids throw `not_found` and nothing changes. */
  softDelete(ids: readonly string[]): BoardItem[];
  /** Brings deleted items back where they were; returns them. */
  restore(ids: readonly string[]): BoardItem[];
  /**
   * Places the results of a finished batch: kind `generation`, to the right of the source items,
   * stacked vertically in variation order, above everything, each at most 256 board units on its longer
   * side. Never overlaps an item already there (moves further right instead). Throws `not_found` for an
   * unknown or trashed board.
   */
  placeResults(request: PlaceResultsRequest): BoardItem[];
};

export type BoardItemsRepositoryOptions = { now?: () => number };

/** The longer side of a placed result, in board units. */
export const resultDisplaySize = 256;
/** Space between the source items and the results, and between stacked results. */
export const resultGap = 32;

type ItemRow = {
  id: string;
  board_id: string;
  kind: BoardItem['kind'];
  asset_sha256: string;
  generation_id: string | null;
  x: number;
  y: number;
  width: number;
  height: number;
  z_index: number;
  data_json: string;
  created_at: number;
  deleted_at: number | null;
  original_name: string | null;
};

type Rect = { x: number; y: number; width: number; height: number };

const columns = `i.id, i.board_id, i.kind, i.asset_sha256, i.generation_id, i.x, i.y, i.width, i.height, i.z_index, i.data_json,
  i.created_at, i.deleted_at, (SELECT a.original_name FROM assets a WHERE a.sha256 = i.asset_sha256) AS original_name`;
// Notes (kind 'note', no image) are in the schema for later; the contract has no way to show them yet.
const visibleKinds = `i.kind IN ('reference', 'generation') AND i.asset_sha256 IS NOT NULL`;
const liveBoard = 'EXISTS (SELECT 1 FROM boards b WHERE b.id = i.board_id AND b.deleted_at IS NULL)';

/**
 * The images on a board's canvas. Delete is soft (`deleted_at`) so one undo brings back the same rows:
 * same ids, lineage and stacking. Items of a trashed board are neither listed nor editable.
 */
export function createBoardItemsRepository(db: Database, options: BoardItemsRepositoryOptions = {}): BoardItemsRepository {
  const now = options.now ?? Date.now;
  const sql = lazyStatements(db);

  const requireBoard = (boardId: string): void => {
    if (sql<[string]>('SELECT 1 FROM boards WHERE id = ? AND deleted_at IS NULL').get(boardId) === undefined) {
      throw new StudioFailure('not_found', `No board with id ${boardId}`);
    }
  };

  /** The item as the user sees it: visible kind, on a live board; deleted ones only when asked for. */
  const itemRow = (id: string, deleted: 'live' | 'any'): ItemRow => {
    const row = sql<[string], ItemRow>(
      `SELECT ${columns} FROM board_items i WHERE i.id = ? AND ${visibleKinds} AND ${liveBoard}${deleted === 'live' ? ' AND i.deleted_at IS NULL' : ''}`,
    ).get(id);
    if (row === undefined) {
      throw new StudioFailure('not_found', `No item with id ${id} on any open board`);
    }
    return row;
  };

  const nextZ = (boardId: string): number =>
    (sql<[string], { z: number | null }>('SELECT max(z_index) AS z FROM board_items WHERE board_id = ?').get(boardId)?.z ?? -1) + 1;

  const liveRects = (boardId: string): (Rect & { id: string })[] =>
    sql<[string], Rect & { id: string }>(
      `SELECT i.id, i.x, i.y, i.width, i.height FROM board_items i WHERE i.board_id = ? AND i.deleted_at IS NULL AND ${visibleKinds}`,
    ).all(boardId);

  const insert = (row: Omit<ItemRow, 'created_at' | 'deleted_at' | 'original_name'>, time: number): void => {
    sql(
      `INSERT INTO board_items (id, board_id, kind, asset_sha256, generation_id, x, y, width, height, z_index, data_json, created_at, updated_at)
       VALUES (@id, @board_id, @kind, @asset_sha256, @generation_id, @x, @y, @width, @height, @z_index, @data_json, @time, @time)`,
    ).run({ ...row, time });
  };

  const ids = (list: readonly string[]): string[] => [...new Set(list)];

  return {
    list(boardId) {
      requireBoard(boardId);
      return sql<[string], ItemRow>(
        `SELECT ${columns} FROM board_items i WHERE i.board_id = ? AND i.deleted_at IS NULL AND ${visibleKinds}
         ORDER BY i.z_index, i.created_at, i.rowid`,
      )
        .all(boardId)
        .map(toBoardItem);
    },

    add(item) {
      checkGeometry(item);
      return db.transaction(() => {
        requireBoard(item.boardId);
        if (sql<[string]>('SELECT 1 FROM assets WHERE sha256 = ?').get(item.assetSha256) === undefined) {
          throw new StudioFailure('not_found', `No image ${item.assetSha256} in the library; import it first`);
        }
        const generationId = item.generationId ?? null;
        if (generationId !== null && sql<[string]>('SELECT 1 FROM generations WHERE id = ?').get(generationId) === undefined) {
          throw new StudioFailure('not_found', `No generation with id ${generationId}`);
        }
        const sourceItemIds = ids(item.sourceItemIds ?? []);
        for (const sourceId of sourceItemIds) {
          if (sql<[string, string]>('SELECT 1 FROM board_items WHERE id = ? AND board_id = ?').get(sourceId, item.boardId) === undefined) {
            throw new StudioFailure('not_found', `Source item ${sourceId} is not on board ${item.boardId}`);
          }
        }
        const id = randomUUID();
        insert(
          {
            id,
            board_id: item.boardId,
            kind: item.kind,
            asset_sha256: item.assetSha256,
            generation_id: generationId,
            x: item.x,
            y: item.y,
            width: item.width,
            height: item.height,
            z_index: nextZ(item.boardId),
            data_json: JSON.stringify({ sourceItemIds }),
          },
          now(),
        );
        return toBoardItem(itemRow(id, 'live'));
      })();
    },

    update(changes) {
      for (const change of changes) {
        checkGeometry(change);
        if (change.zIndex !== undefined && !Number.isInteger(change.zIndex)) {
          throw new StudioFailure('validation_failed', `zIndex must be a whole number, got ${change.zIndex}`);
        }
      }
      return db.transaction(() => {
        const time = now();
        for (const change of changes) {
          const row = itemRow(change.id, 'live');
          sql(
            `UPDATE board_items SET x = @x, y = @y, width = @width, height = @height, z_index = @z_index, updated_at = @time WHERE id = @id`,
          ).run({
            id: row.id,
            x: change.x ?? row.x,
            y: change.y ?? row.y,
            width: change.width ?? row.width,
            height: change.height ?? row.height,
            z_index: change.zIndex ?? row.z_index,
            time,
          });
        }
        return ids(changes.map((change) => change.id)).map((id) => toBoardItem(itemRow(id, 'live')));
      })();
    },

    softDelete(list) {
      return db.transaction(() => {
        const time = now();
        return ids(list).map((id) => {
          const row = itemRow(id, 'any');
          sql('UPDATE board_items SET deleted_at = ?, updated_at = ? WHERE id = ? AND deleted_at IS NULL').run(time, time, id);
          return toBoardItem(row);
        });
      })();
    },

    restore(list) {
      return db.transaction(() => {
        const time = now();
        return ids(list).map((id) => {
          itemRow(id, 'any');
          sql('UPDATE board_items SET deleted_at = NULL, updated_at = ? WHERE id = ? AND deleted_at IS NOT NULL').run(time, id);
          return toBoardItem(itemRow(id, 'live'));
        });
      })();
    },

    placeResults({ boardId, sourceItemIds, results }) {
      return db.transaction(() => {
        requireBoard(boardId);
        if (results.length === 0) {
          return [];
        }
        const onBoard = new Set(
          sql<[string], { id: string }>('SELECT id FROM board_items WHERE board_id = ?')
            .all(boardId)
            .map((row) => row.id),
        );
        const lineage = ids(sourceItemIds).filter((id) => onBoard.has(id));
        const live = liveRects(boardId);
        const sources = live.filter((rect) => lineage.includes(rect.id));
        const sizes = results.map((result) => displaySize(result.width, result.height));
        const column = placeColumn(sources.length > 0 ? sources : live, live, sizes);
        const time = now();
        let z = nextZ(boardId);
        let y = column.y;
        return results.map((result, index) => {
          const size = sizes[index] as { width: number; height: number };
          const id = randomUUID();
          insert(
            {
              id,
              board_id: boardId,
              kind: 'generation',
              asset_sha256: result.assetSha256,
              generation_id: result.generationId,
              x: column.x,
              y,
              width: size.width,
              height: size.height,
              z_index: z++,
              data_json: JSON.stringify({ sourceItemIds: lineage }),
            },
            time,
          );
          y += size.height + resultGap;
          return toBoardItem(itemRow(id, 'live'));
        });
      })();
    },
  };
}

/** Longer side `resultDisplaySize`, aspect kept. */
export function displaySize(width: number, height: number): { width: number; height: number } {
  if (!(width > 0 && height > 0)) {
    throw new StudioFailure('validation_failed', `A result image must have a positive size, got ${width}×${height}`);
  }
  const scale = resultDisplaySize / Math.max(width, height);
  return { width: width * scale, height: height * scale };
}

/**
 * Where the column of results starts: right of `anchors` (top-aligned with them), then further right
 * past any item that would overlap the column. With no anchors (an empty board) it starts at the origin.
 */
function placeColumn(anchors: readonly Rect[], live: readonly Rect[], sizes: readonly { width: number; height: number }[]): { x: number; y: number } {
  const width = Math.max(...sizes.map((size) => size.width));
  const height = sizes.reduce((sum, size) => sum + size.height, 0) + resultGap * (sizes.length - 1);
  if (anchors.length === 0) {
    return { x: 0, y: 0 };
  }
  let x = Math.max(...anchors.map((rect) => rect.x + rect.width)) + resultGap;
  const y = Math.min(...anchors.map((rect) => rect.y));
  // Each pass moves right past every blocker, so this ends after at most one pass per item.
  for (let pass = 0; pass <= live.length; pass++) {
    const blockers = live.filter((rect) => overlaps(rect, { x, y, width, height }));
    if (blockers.length === 0) {
      break;
    }
    x = Math.max(...blockers.map((rect) => rect.x + rect.width)) + resultGap;
  }
  return { x, y };
}

function overlaps(a: Rect, b: Rect): boolean {
  return a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;
}

function checkGeometry(item: { x?: number | undefined; y?: number | undefined; width?: number | undefined; height?: number | undefined }): void {
  for (const key of ['x', 'y'] as const) {
    const value = item[key];
    if (value !== undefined && !Number.isFinite(value)) {
      throw new StudioFailure('validation_failed', `${key} must be a finite number, got ${value}`);
    }
  }
  for (const key of ['width', 'height'] as const) {
    const value = item[key];
    if (value !== undefined && !(Number.isFinite(value) && value > 0)) {
      throw new StudioFailure('validation_failed', `${key} must be a positive number, got ${value}`);
    }
  }
}

function toBoardItem(row: ItemRow): BoardItem {
  const data = JSON.parse(row.data_json) as { sourceItemIds?: unknown };
  const sourceItemIds = Array.isArray(data.sourceItemIds) ? data.sourceItemIds.filter((id): id is string => typeof id === 'string') : [];
  return BoardItem.parse({
    id: row.id,
    boardId: row.board_id,
    kind: row.kind,
    assetSha256: row.asset_sha256,
    generationId: row.generation_id,
    name: row.original_name === null || row.original_name.trim() === '' ? null : row.original_name,
    sourceItemIds,
    x: row.x,
    y: row.y,
    width: row.width,
    height: row.height,
    zIndex: row.z_index,
    createdAt: row.created_at,
  });
}
