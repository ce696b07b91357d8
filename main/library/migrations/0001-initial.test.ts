import BetterSqlite3 from 'better-sqlite3';
import type { Database } from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { initialMigration } from './0001-initial';

let db: Database;
beforeEach(() => {
  db = new BetterSqlite3(':memory:');
  db.pragma('foreign_keys = ON');
  initialMigration.up(db);
});
afterEach(() => db.close());

const columnsOf = (table: string): string[] =>
  (db.pragma(`table_info(${table})`) as { name: string }[]).map((column) => column.name);
const namesOf = (type: string): string[] =>
  (db.prepare(`SELECT name FROM sqlite_master WHERE type = ? AND name NOT LIKE 'sqlite_%' ORDER BY name`).all(type) as { name: string }[]).map(
    (row) => row.name,
  );

const sha = (char: string): string => char.repeat(64);

function insertGeneration(id: string, prompt: string, extra: Record<string, unknown> = {}): void {
  const row = {
    id,
    board_id: null,
    status: 'queued',
    queue_position: 1,
    prompt,
    params_json: '{"steps":30}',
    seed: '18446744073709551615',
    bundle_sha256: sha('b'),
    engine_version: '0.1.0',
    created_at: 1,
    ...extra,
  };
  const keys = Object.keys(row);
  db.prepare(`INSERT INTO generations (${keys.join(', ')}) VALUES (${keys.map((key) => `@${key}`).join(', ')})`).run(row);
}

function search(word: string): string[] {
  return (
    db.prepare('SELECT g.id FROM generations_fts f JOIN generations g ON g.seq = f.rowid WHERE generations_fts MATCH ? ORDER BY g.id').all(word) as {
      id: string;
    }[]
  ).map((row) => row.id);
}

describe('migration 0001 initial', () => {
  it('is version 1', () => {
    expect(initialMigration).toMatchObject({ version: 1, name: 'initial' });
  });

  it('creates the tables with their columns', () => {
    expect(namesOf('table').filter((name) => !name.startsWith('generations_fts_'))).toEqual([
      'assets',
      'board_items',
      'boards',
      'generations',
      'generations_fts',
      'hosts',
      'jobs',
      'models',
    ]);
    expect(columnsOf('boards')).toEqual(['id', 'name', 'created_at', 'updated_at', 'deleted_at']);
    expect(columnsOf('assets')).toEqual(['sha256', 'mime', 'byte_size', 'width', 'height', 'original_name', 'created_at']);
    expect(columnsOf('board_items')).toEqual([
      'id', 'board_id', 'kind', 'asset_sha256', 'generation_id', 'x', 'y', 'width', 'height', 'rotation', 'z_index',
      'data_json', 'created_at', 'updated_at',
    ]);
    expect(columnsOf('models')).toEqual([
      'id', 'name', 'path', 'format_version', 'precision', 'size_bytes', 'bundle_sha256', 'source_json', 'config_json',
      'installed_at',
    ]);
    expect(columnsOf('generations')).toEqual([
      'seq', 'id', 'board_id', 'model_id', 'status', 'queue_position', 'prompt', 'params_json', 'seed', 'references_json',
      'bundle_sha256', 'engine_version', 'result_asset_sha256', 'error', 'timings_json', 'rating', 'starred', 'created_at',
      'started_at', 'finished_at', 'deleted_at',
    ]);
    expect(columnsOf('hosts')).toEqual([
      'id', 'name', 'host', 'port', 'user', 'identity_file', 'use_agent', 'jump_host', 'known_host_key', 'remote_root',
      'created_at', 'updated_at',
    ]);
    expect(columnsOf('jobs')).toEqual([
      'id', 'host_id', 'stage', 'status', 'remote_dir', 'config_json', 'created_at', 'started_at', 'finished_at',
      'last_log_offset', 'error',
    ]);
  });

  it('creates the indices and the FTS triggers', () => {
    expect(namesOf('index')).toEqual([
      'board_items_by_asset',
      'board_items_by_board',
      'board_items_by_generation',
      'generations_by_board',
      'generations_by_model',
      'generations_by_result',
      'generations_gallery_order',
      'generations_queue_order',
      'jobs_by_host',
      'models_by_bundle',
    ]);
    expect(namesOf('trigger')).toEqual(['generations_fts_delete', 'generations_fts_insert', 'generations_fts_update']);
  });

  it('uses the indices for queue order and gallery order', () => {
    const plan = (sql: string): string =>
      (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all() as { detail: string }[]).map((row) => row.detail).join('\n');
    expect(plan(`SELECT id FROM generations WHERE status = 'queued' ORDER BY queue_position`)).toContain('generations_queue_order');
    expect(plan('SELECT id FROM generations WHERE deleted_at IS NULL ORDER BY created_at DESC, seq DESC LIMIT 50')).toContain(
      'generations_gallery_order',
    );
  });

  it('keeps the prompt index in step on insert, prompt update and delete', () => {
    insertGeneration('g1', 'The cat in <image>. A cat as a 16-bit pixel-art hero');
    insertGeneration('g2', 'A watercolour café by the sea');
    expect(search('pixel')).toEqual(['g1']);
    expect(search('cafe')).toEqual(['g2']); // diacritics folded

    db.prepare(`UPDATE generations SET status = 'done' WHERE id = 'g1'`).run();
    expect(search('hero')).toEqual(['g1']);

    db.prepare(`UPDATE generations SET prompt = 'a dog in the snow' WHERE id = 'g1'`).run();
    expect(search('hero')).toEqual([]);
    expect(search('snow')).toEqual(['g1']);

    db.prepare(`DELETE FROM generations WHERE id = 'g1'`).run();
    expect(search('snow')).toEqual([]);
    // rank = 1 makes FTS5 compare the index with the generations table itself; it throws on any drift.
    expect(() => db.prepare(`INSERT INTO generations_fts (generations_fts, rank) VALUES ('integrity-check', 1)`).run()).not.toThrow();
  });

  it('cascades board deletion to its items and keeps the generations', () => {
    db.prepare(`INSERT INTO boards (id, name, created_at, updated_at) VALUES ('b1', 'Cats', 1, 1)`).run();
    db.prepare(`INSERT INTO assets (sha256, mime, byte_size, created_at) VALUES (?, 'image/png', 3, 1)`).run(sha('a'));
    insertGeneration('g1', 'cat', { board_id: 'b1', result_asset_sha256: sha('a') });
    db.prepare(
      `INSERT INTO board_items (id, board_id, kind, asset_sha256, generation_id, x, y, width, height, z_index, created_at, updated_at)
       VALUES ('i1', 'b1', 'generation', ?, 'g1', 0, 0, 512, 512, 0, 1, 1)`,
    ).run(sha('a'));

    db.prepare(`DELETE FROM boards WHERE id = 'b1'`).run();
    expect(db.prepare('SELECT count(*) AS n FROM board_items').get()).toEqual({ n: 0 });
    expect(db.prepare(`SELECT board_id FROM generations WHERE id = 'g1'`).get()).toEqual({ board_id: null });
  });

  it('refuses rows that break the constraints', () => {
    db.prepare(`INSERT INTO boards (id, name, created_at, updated_at) VALUES ('b1', 'Cats', 1, 1)`).run();
    const item = (kind: string, boardId = 'b1'): void => {
      db.prepare(
        `INSERT INTO board_items (id, board_id, kind, x, y, width, height, z_index, created_at, updated_at)
         VALUES (lower(hex(randomblob(8))), ?, ?, 0, 0, 1, 1, 0, 1, 1)`,
      ).run(boardId, kind);
    };
    expect(() => item('note')).not.toThrow();
    expect(() => item('sticker')).toThrow(/CHECK/);
    expect(() => item('note', 'missing-board')).toThrow(/FOREIGN KEY/);
    expect(() => insertGeneration('g1', 'x', { status: 'paused' })).toThrow(/CHECK/);
    expect(() => insertGeneration('g2', 'x', { seed: '-1' })).toThrow(/CHECK/);
    expect(() => insertGeneration('g3', 'x', { seed: '123456789012345678901' })).toThrow(/CHECK/);
    expect(() => insertGeneration('g4', 'x', { params_json: '{oops' })).toThrow(/CHECK/);
    expect(() => insertGeneration('g5', 'x', { queue_position: 'first' })).toThrow(/cannot store TEXT/);
  });

  it('stores a seed above 2^63 exactly, as text', () => {
    insertGeneration('g1', 'x', { seed: '18446744073709551615' });
    expect(db.prepare(`SELECT seed FROM generations WHERE id = 'g1'`).get()).toEqual({ seed: '18446744073709551615' });
  });
});
