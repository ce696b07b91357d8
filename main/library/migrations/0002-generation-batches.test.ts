import BetterSqlite3 from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { migrateDatabase, schemaVersionOf } from '../migrate';
import { initialMigration } from './0001-initial';
import { generationBatchesMigration } from './0002-generation-batches';
import { migrations } from './index';
import { useScratchDatabase } from './scratch-database.test-helper';

const scratch = useScratchDatabase('migration-0002-');

const insertGeneration = (id: string, extra: Record<string, unknown> = {}): void => scratch.insertGeneration(id, extra);

describe('migration 0002 generation batches', () => {
  it('is version 2 and the last in the list', () => {
    expect(generationBatchesMigration).toMatchObject({ version: 2, name: 'generation-batches' });
    expect(migrations.indexOf(generationBatchesMigration)).toBe(1);
  });

  it('migrates a v1 library with rows: backup first, each old row a batch of one, board links kept', () => {
    migrateDatabase(scratch.db, [initialMigration], { backupsFolder: scratch.backupsFolder });
    scratch.db.prepare(`INSERT INTO boards (id, name, created_at, updated_at) VALUES ('b1', 'Cats', 1, 1)`).run();
    insertGeneration('g1');
    insertGeneration('g2', { status: 'queued', queue_position: 7 });
    scratch.db.prepare(
      `INSERT INTO board_items (id, board_id, kind, generation_id, x, y, width, height, z_index, created_at, updated_at)
       VALUES ('i1', 'b1', 'generation', 'g1', 0, 0, 1, 1, 0, 1, 1)`,
    ).run();

    const report = migrateDatabase(scratch.db, [initialMigration, generationBatchesMigration], {
      backupsFolder: scratch.backupsFolder,
      now: () => 0,
    });

    expect(report).toMatchObject({ from: 1, to: 2 });
    expect(report.backupPath).not.toBeNull();
    const backup = new BetterSqlite3(report.backupPath!, { readonly: true, fileMustExist: true });
    expect(backup.pragma('user_version', { simple: true })).toBe(1);
    expect(backup.prepare('SELECT count(*) AS n FROM generations').get()).toEqual({ n: 2 });
    backup.close();

    expect(schemaVersionOf(scratch.db)).toBe(2);
    expect(scratch.db.prepare('SELECT id, batch_id, variation, status, queue_position FROM generations ORDER BY id').all()).toEqual([
      { id: 'g1', batch_id: 'g1', variation: 0, status: 'done', queue_position: 1 },
      { id: 'g2', batch_id: 'g2', variation: 0, status: 'queued', queue_position: 7 },
    ]);
    expect(scratch.db.prepare(`SELECT generation_id FROM board_items WHERE id = 'i1'`).get()).toEqual({ generation_id: 'g1' });
    expect(scratch.db.pragma('foreign_key_check')).toEqual([]);
    // The prompt index still points at the right rows.
    const hits = scratch.db.prepare(`SELECT g.id FROM generations_fts f JOIN generations g ON g.seq = f.rowid WHERE generations_fts MATCH 'g2'`).all();
    expect(hits).toEqual([{ id: 'g2' }]);
  });

  it('indexes batches and refuses a missing batch id, a duplicate variation or a negative one', () => {
    migrateDatabase(scratch.db, migrations, { backupsFolder: scratch.backupsFolder });
    insertGeneration('g1', { batch_id: 'batch-a', variation: 0 });
    insertGeneration('g2', { batch_id: 'batch-a', variation: 1 });

    expect(() => insertGeneration('g3')).toThrow(/batch_id is required/);
    expect(() => insertGeneration('g4', { batch_id: 'batch-a', variation: 1 })).toThrow(/UNIQUE/);
    expect(() => insertGeneration('g5', { batch_id: 'batch-b', variation: -1 })).toThrow(/CHECK/);
    expect(() => insertGeneration('g6', { batch_id: 'batch-b', variation: 'first' })).toThrow(/cannot store TEXT/);
    expect(() => scratch.db.prepare(`UPDATE generations SET batch_id = '' WHERE id = 'g1'`).run()).toThrow(/batch_id is required/);

    const plan = (scratch.db.prepare(`EXPLAIN QUERY PLAN SELECT id FROM generations WHERE batch_id = ? ORDER BY variation`).all('batch-a') as {
      detail: string;
    }[])
      .map((row) => row.detail)
      .join('\n');
    expect(plan).toContain('generations_by_batch');
  });
});
