import type { Database } from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { migratedMemoryDatabase } from './migrations/memory-database.test-helper';
import { Board } from '../../preload/contract';
import { createBoardsRepository, type BoardsRepository } from './boards-repository';

let db: Database;
let clock: number;
let boards: BoardsRepository;
beforeEach(() => {
  db = migratedMemoryDatabase();
  clock = 1_000;
  boards = createBoardsRepository(db, { now: () => clock });
});
afterEach(() => db.close());

const missing = '00000000-0000-4000-8000-000000000000';

function addItem(boardId: string): void {
  db.prepare(
    `INSERT INTO board_items (id, board_id, kind, x, y, width, height, z_index, created_at, updated_at)
     VALUES (lower(hex(randomblob(8))), ?, 'note', 0, 0, 1, 1, 0, 1, 1)`,
  ).run(boardId);
}

describe('BoardsRepository', () => {
  it('creates a board with a trimmed name and a uuid that matches the contract', () => {
    const board = boards.create('  Cats  ');
    expect(Board.parse(board)).toEqual(board);
    expect(board).toMatchObject({ name: 'Cats', itemCount: 0, createdAt: 1_000, updatedAt: 1_000 });
    expect(boards.get(board.id)).toEqual(board);
  });

  it('lists boards in creation order, unaffected by renames, with item counts', () => {
    const first = boards.create('First');
    clock = 2_000;
    const second = boards.create('Second');
    const third = boards.create('Third'); // same millisecond: insertion order breaks the tie
    clock = 3_000;
    boards.rename(first.id, 'First, renamed');
    addItem(second.id);
    addItem(second.id);

    expect(boards.list().map((board) => [board.name, board.itemCount])).toEqual([
      ['First, renamed', 0],
      ['Second', 2],
      ['Third', 0],
    ]);
    expect(boards.get(third.id).itemCount).toBe(0);
  });

  it('renames, bumping updatedAt only', () => {
    const board = boards.create('Old');
    clock = 5_000;
    expect(boards.rename(board.id, ' New ')).toEqual({ ...board, name: 'New', updatedAt: 5_000 });
  });

  it('moves a removed board to the trash: gone from list and get, row and items kept', () => {
    const board = boards.create('Doomed');
    addItem(board.id);
    boards.remove(board.id);

    expect(boards.list()).toEqual([]);
    expect(() => boards.get(board.id)).toThrow(expect.objectContaining({ code: 'not_found' }));
    expect(db.prepare('SELECT deleted_at FROM boards WHERE id = ?').get(board.id)).toEqual({ deleted_at: 1_000 });
    expect(db.prepare('SELECT count(*) AS n FROM board_items').get()).toEqual({ n: 1 });
  });

  it('says not_found for unknown and trashed boards', () => {
    const trashed = boards.create('Trashed');
    boards.remove(trashed.id);
    for (const id of [missing, trashed.id]) {
      expect(() => boards.get(id)).toThrow(`No board with id ${id}`);
      expect(() => boards.rename(id, 'x')).toThrow(expect.objectContaining({ code: 'not_found' }));
      expect(() => boards.remove(id)).toThrow(expect.objectContaining({ code: 'not_found' }));
    }
  });

  it('refuses empty and overlong names', () => {
    expect(() => boards.create('   ')).toThrow(expect.objectContaining({ code: 'validation_failed' }));
    expect(() => boards.create('x'.repeat(121))).toThrow(expect.objectContaining({ code: 'validation_failed' }));
    const board = boards.create('Fine');
    expect(() => boards.rename(board.id, '')).toThrow(expect.objectContaining({ code: 'validation_failed' }));
    expect(boards.get(board.id).name).toBe('Fine');
  });
});
