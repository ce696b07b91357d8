import BetterSqlite3 from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { migrateDatabase, schemaVersionOf } from '../migrate';
import { generationSourcesMigration } from './0004-generation-sources';
import { migrations } from './index';
import { useScratchDatabase } from './scratch-database.test-helper';

const scratch = useScratchDatabase('migration-0004-');
const upTo3 = migrations.slice(0, 3);

/** After 0002 a row needs its batch; each is a batch of one unless the test says otherwise. */
const insertGeneration = (id: string, extra: Record<string, unknown> = {}): void =>
  scratch.insertGeneration(id, { batch_id: id, ...extra });

describe('migration 0004 generation sources', () => {
  it('is version 4, fourth in the list', () => {
    expect(generationSourcesMigration).toMatchObject({ version: 4, name: 'generation-sources' });
    expect(migrations.indexOf(generationSourcesMigration)).toBe(3);
  });

  it('migrates a v3 library: backup first, no lineage on old rows, each row counted with its batch, board links kept', () => {
    migrateDatabase(scratch.db, upTo3, { backupsFolder: scratch.backupsFolder });
    scratch.db.prepare(`INSERT INTO boards (id, name, created_at, updated_at) VALUES ('b1', 'Cats', 1, 1)`).run();
    insertGeneration('g1', { batch_id: 'batch-a', variation: 0 });
    insertGeneration('g2', { batch_id: 'batch-a', variation: 1 });
    insertGeneration('g3', { batch_id: 'batch-a', variation: 2 });
    insertGeneration('g4');
    scratch.db.prepare(
      `INSERT INTO board_items (id, board_id, kind, generation_id, x, y, width, height, z_index, created_at, updated_at)
       VALUES ('i1', 'b1', 'generation', 'g2', 0, 0, 1, 1, 0, 1, 1)`,
    ).run();

    const report = migrateDatabase(scratch.db, migrations.slice(0, 4), { backupsFolder: scratch.backupsFolder, now: () => 0 });

    expect(report).toMatchObject({ from: 3, to: 4 });
    const backup = new BetterSqlite3(report.backupPath!, { readonly: true, fileMustExist: true });
    expect(backup.pragma('user_version', { simple: true })).toBe(3);
    backup.close();
    expect(schemaVersionOf(scratch.db)).toBe(4);
    expect(scratch.db.prepare('SELECT id, source_item_ids_json, variation_count FROM generations ORDER BY id').all()).toEqual([
      { id: 'g1', source_item_ids_json: '[]', variation_count: 3 },
      { id: 'g2', source_item_ids_json: '[]', variation_count: 3 },
      { id: 'g3', source_item_ids_json: '[]', variation_count: 3 },
      { id: 'g4', source_item_ids_json: '[]', variation_count: 1 },
    ]);
    expect(scratch.db.prepare(`SELECT generation_id FROM board_items WHERE id = 'i1'`).get()).toEqual({ generation_id: 'g2' });
    expect(scratch.db.pragma('foreign_key_check')).toEqual([]);
  });

  it('refuses lineage that is not a JSON array and a count below one', () => {
    migrateDatabase(scratch.db, migrations, { backupsFolder: scratch.backupsFolder });
    expect(() => insertGeneration('g1', { source_item_ids_json: '{"a":1}' })).toThrow(/CHECK/);
    expect(() => insertGeneration('g2', { source_item_ids_json: '[oops' })).toThrow(/CHECK/);
    expect(() => insertGeneration('g3', { variation_count: 0 })).toThrow(/CHECK/);
    expect(() => insertGeneration('g4', { source_item_ids_json: '["5b1c2a4e-8f7d-4c3b-9a2e-1f0d3c4b5a69"]', variation_count: 4 })).not.toThrow();
  });

  it('pages and counts the gallery from its index: no sort step, no table rows for the count', () => {
    migrateDatabase(scratch.db, migrations, { backupsFolder: scratch.backupsFolder });
    const plan = (sql: string): string =>
      (scratch.db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all() as { detail: string }[]).map((row) => row.detail).join('\n');
    const page = plan(`SELECT id FROM generations WHERE status = 'done' AND deleted_at IS NULL ORDER BY created_at DESC, seq DESC LIMIT 100`);
    expect(page).toContain('generations_gallery_page (status=? AND deleted_at=?)');
    expect(page).not.toContain('TEMP B-TREE');
    expect(plan(`SELECT count(*) FROM generations WHERE status = 'done' AND deleted_at IS NULL`)).toContain(
      'USING COVERING INDEX generations_gallery_page',
    );
    expect(plan(`SELECT id FROM generations WHERE status = 'done' AND deleted_at IS NOT NULL ORDER BY created_at DESC`)).toContain(
      'generations_gallery_page (status=? AND deleted_at>?)',
    );
  });
});
