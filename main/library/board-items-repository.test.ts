import { randomUUID } from 'node:crypto';
import type { Database } from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { migratedMemoryDatabase } from './migrations/memory-database.test-helper';
import { BoardItem } from '../../preload/contract';
import { createBoardItemsRepository, resultGap, type BoardItemsRepository, type NewBoardItem } from './board-items-repository';
import { createBoardsRepository, type BoardsRepository } from './boards-repository';

let db: Database;
let clock: number;
let boards: BoardsRepository;
let items: BoardItemsRepository;
let boardId: string;
beforeEach(() => {
  db = migratedMemoryDatabase();
  clock = 1_000;
  boards = createBoardsRepository(db, { now: () => clock });
  items = createBoardItemsRepository(db, { now: () => clock });
  boardId = boards.create('Cats').id;
});
afterEach(() => db.close());

const missing = '00000000-0000-4000-8000-000000000000';
const sha = (char: string): string => char.repeat(64);

function asset(char: string): string {
  db.prepare(`INSERT OR IGNORE INTO assets (sha256, mime, byte_size, created_at) VALUES (?, 'image/png', 1, 1)`).run(sha(char));
  return sha(char);
}

function generation(resultChar: string): string {
  const id = randomUUID();
  db.prepare(
    `INSERT INTO generations (id, batch_id, variation, status, queue_position, prompt, params_json, seed, bundle_sha256, engine_version, result_asset_sha256, created_at)
     VALUES (?, ?, 0, 'done', 0, 'a cat', '{}', '1', ?, '0.1.0', ?, 1)`,
  ).run(id, id, sha('f'), asset(resultChar));
  return id;
}

function reference(extra: Partial<NewBoardItem> = {}): BoardItem {
  return items.add({ boardId, assetSha256: asset('a'), kind: 'reference', x: 0, y: 0, width: 100, height: 100, ...extra });
}

const geometry = (item: BoardItem) => [item.x, item.y, item.width, item.height];

describe('BoardItemsRepository: add and list', () => {
  it('adds an item that matches the contract, on top of the others, and lists bottom to top', () => {
    const first = reference({ x: 10, y: -20.5 });
    const second = reference({ x: 200 });
    expect(BoardItem.parse(first)).toEqual(first);
    expect(first).toMatchObject({ boardId, kind: 'reference', assetSha256: sha('a'), generationId: null, sourceItemIds: [], x: 10, y: -20.5, zIndex: 0, createdAt: 1_000 });
    expect(second.zIndex).toBe(1);
    expect(items.list(boardId)).toEqual([first, second]);
    expect(boards.get(boardId).itemCount).toBe(2);
  });

  it('keeps the generation id and lineage of a result reused as a reference', () => {
    const source = reference();
    const generationId = generation('b');
    const reused = items.add({ boardId, assetSha256: sha('b'), kind: 'reference', generationId, sourceItemIds: [source.id], x: 0, y: 0, width: 1, height: 1 });
    expect(reused).toMatchObject({ kind: 'reference', generationId, sourceItemIds: [source.id] });
    expect(items.list(boardId).at(-1)).toEqual(reused);
  });

  it('refuses an unknown or trashed board, an asset not in the library, an unknown generation or source item', () => {
    const other = boards.create('Dogs').id;
    const elsewhere = items.add({ boardId: other, assetSha256: asset('a'), kind: 'reference', x: 0, y: 0, width: 1, height: 1 });
    const base: NewBoardItem = { boardId, assetSha256: asset('a'), kind: 'reference', x: 0, y: 0, width: 1, height: 1 };
    expect(() => items.add({ ...base, boardId: missing })).toThrow(expect.objectContaining({ code: 'not_found', message: `No board with id ${missing}` }));
    expect(() => items.add({ ...base, assetSha256: sha('9') })).toThrow(expect.objectContaining({ code: 'not_found', message: expect.stringContaining('import it first') }));
    expect(() => items.add({ ...base, generationId: missing })).toThrow(expect.objectContaining({ code: 'not_found', message: `No generation with id ${missing}` }));
    expect(() => items.add({ ...base, sourceItemIds: [elsewhere.id] })).toThrow(expect.objectContaining({ code: 'not_found', message: expect.stringContaining('is not on board') }));
    expect(() => items.add({ ...base, width: 0 })).toThrow(expect.objectContaining({ code: 'validation_failed' }));
    expect(() => items.add({ ...base, x: Number.NaN })).toThrow(expect.objectContaining({ code: 'validation_failed' }));
    boards.remove(other);
    expect(() => items.add({ ...base, boardId: other })).toThrow(expect.objectContaining({ code: 'not_found' }));
    expect(items.list(boardId)).toEqual([]);
  });

  it('does not list the items of a trashed board, and refuses to edit them', () => {
    const item = reference();
    boards.remove(boardId);
    expect(() => items.list(boardId)).toThrow(expect.objectContaining({ code: 'not_found' }));
    expect(() => items.update([{ id: item.id, x: 5 }])).toThrow(expect.objectContaining({ code: 'not_found' }));
    expect(() => items.softDelete([item.id])).toThrow(expect.objectContaining({ code: 'not_found' }));
  });
});

describe('BoardItemsRepository: update, delete, restore', () => {
  it('moves, resizes and restacks several items in one step, leaving absent fields alone', () => {
    const a = reference();
    const b = reference({ x: 200 });
    clock = 2_000;
    const updated = items.update([
      { id: b.id, zIndex: -1 },
      { id: a.id, x: 50, y: 60, width: 30 },
    ]);
    expect(updated.map((item) => item.id)).toEqual([b.id, a.id]);
    expect(geometry(updated[1]!)).toEqual([50, 60, 30, 100]);
    expect(items.list(boardId).map((item) => item.id)).toEqual([b.id, a.id]); // b now at the bottom
  });

  it('changes nothing when one id of the batch is unknown', () => {
    const a = reference();
    expect(() => items.update([{ id: a.id, x: 999 }, { id: missing, x: 1 }])).toThrow(
      expect.objectContaining({ code: 'not_found', message: expect.stringContaining(missing) }),
    );
    expect(items.list(boardId)[0]?.x).toBe(0);
  });

  it('deletes softly and restores the very same items (id, place, stacking, lineage)', () => {
    const a = reference();
    const b = reference({ x: 300, sourceItemIds: [a.id] });
    const c = reference({ x: 600 });
    expect(items.softDelete([a.id, b.id]).map((item) => item.id)).toEqual([a.id, b.id]);
    expect(items.list(boardId)).toEqual([c]);
    expect(boards.get(boardId).itemCount).toBe(1);
    expect(() => items.update([{ id: a.id, x: 1 }])).toThrow(expect.objectContaining({ code: 'not_found' }));

    expect(items.restore([b.id, a.id])).toEqual([b, a]);
    expect(items.list(boardId)).toEqual([a, b, c]);
  });

  it('deletes nothing when one id is unknown; deleting or restoring twice is harmless', () => {
    const a = reference();
    expect(() => items.softDelete([a.id, missing])).toThrow(expect.objectContaining({ code: 'not_found' }));
    expect(items.list(boardId)).toEqual([a]);
    items.softDelete([a.id]);
    expect(items.softDelete([a.id])).toEqual([a]);
    expect(items.restore([a.id])).toEqual([a]);
    expect(items.restore([a.id])).toEqual([a]);
    expect(() => items.restore([missing])).toThrow(expect.objectContaining({ code: 'not_found' }));
  });
});

describe('BoardItemsRepository: placeResults', () => {
  it('stacks the results right of the sources, top-aligned, in variation order, above everything, 256 on the longer side', () => {
    const cat = reference({ x: 0, y: 40, width: 100, height: 100 });
    const hat = reference({ x: 50, y: 10, width: 200, height: 50 });
    const behind = reference({ x: -500, y: 0, width: 10, height: 10 });
    const wide = generation('b');
    const tall = generation('c');

    const placed = items.placeResults({
      boardId,
      sourceItemIds: [cat.id, hat.id],
      results: [
        { generationId: wide, assetSha256: sha('b'), width: 512, height: 256 },
        { generationId: tall, assetSha256: sha('c'), width: 256, height: 512 },
      ],
    });

    const right = 250 + resultGap;
    expect(placed.map(geometry)).toEqual([
      [right, 10, 256, 128],
      [right, 10 + 128 + resultGap, 128, 256],
    ]);
    expect(placed).toMatchObject([
      { kind: 'generation', generationId: wide, assetSha256: sha('b'), sourceItemIds: [cat.id, hat.id], zIndex: 3 },
      { kind: 'generation', generationId: tall, assetSha256: sha('c'), sourceItemIds: [cat.id, hat.id], zIndex: 4 },
    ]);
    expect(items.list(boardId).map((item) => item.id)).toEqual([cat.id, hat.id, behind.id, ...placed.map((item) => item.id)]);
  });

  it('places the next batch from the same sources beside the previous one, never on top of it', () => {
    const cat = reference({ x: 0, y: 0, width: 100, height: 100 });
    const place = (char: string) =>
      items.placeResults({ boardId, sourceItemIds: [cat.id], results: [{ generationId: generation(char), assetSha256: sha(char), width: 32, height: 32 }] })[0]!;
    const first = place('b');
    const second = place('c');
    expect(first.x).toBe(100 + resultGap);
    expect(second.x).toBe(first.x + 256 + resultGap);
    expect(second.y).toBe(first.y);
  });

  it('without sources (or with sources since deleted) goes right of everything on the board; at the origin on an empty board', () => {
    const empty = boards.create('Empty').id;
    const [alone] = items.placeResults({ boardId: empty, sourceItemIds: [], results: [{ generationId: generation('b'), assetSha256: sha('b'), width: 8, height: 8 }] });
    expect(geometry(alone!)).toEqual([0, 0, 256, 256]);

    const gone = reference({ x: 0, y: 0 });
    reference({ x: 1000, y: -50, width: 10, height: 10 });
    items.softDelete([gone.id]);
    const [placed] = items.placeResults({ boardId, sourceItemIds: [gone.id, missing], results: [{ generationId: generation('c'), assetSha256: sha('c'), width: 8, height: 8 }] });
    expect([placed!.x, placed!.y]).toEqual([1010 + resultGap, -50]);
    // Lineage keeps the deleted source (undo may bring it back) and drops an id that was never on the board.
    expect(placed!.sourceItemIds).toEqual([gone.id]);
  });

  it('refuses an unknown or trashed board and places nothing for no results', () => {
    const result = { generationId: generation('b'), assetSha256: sha('b'), width: 8, height: 8 };
    expect(() => items.placeResults({ boardId: missing, sourceItemIds: [], results: [result] })).toThrow(expect.objectContaining({ code: 'not_found' }));
    expect(items.placeResults({ boardId, sourceItemIds: [], results: [] })).toEqual([]);
    boards.remove(boardId);
    expect(() => items.placeResults({ boardId, sourceItemIds: [], results: [result] })).toThrow(expect.objectContaining({ code: 'not_found' }));
  });
});
