import { describe, expect, it } from 'vitest';
import { migrateDatabase, schemaVersionOf } from '../migrate';
import { initialMigration } from './0001-initial';
import { generationBatchesMigration } from './0002-generation-batches';
import { canvasPresetsSettingsMigration } from './0003-canvas-presets-settings';
import { migrations } from './index';
import { useScratchDatabase } from './scratch-database.test-helper';

const scratch = useScratchDatabase('migration-0003-');
const columnsOf = (table: string): string[] =>
  (scratch.db.pragma(`table_info(${table})`) as { name: string }[]).map((column) => column.name);
const upTo3 = [initialMigration, generationBatchesMigration, canvasPresetsSettingsMigration];

describe('migration 0003 canvas, presets, settings', () => {
  it('is version 3, third in the list', () => {
    expect(canvasPresetsSettingsMigration).toMatchObject({ version: 3, name: 'canvas-presets-settings' });
    expect(migrations.indexOf(canvasPresetsSettingsMigration)).toBe(2);
  });

  it('migrates a v2 library with board items: backup first, every item kept and not deleted', () => {
    migrateDatabase(scratch.db, upTo3.slice(0, 2), { backupsFolder: scratch.backupsFolder });
    scratch.db.prepare(`INSERT INTO boards (id, name, created_at, updated_at) VALUES ('b1', 'Cats', 1, 1)`).run();
    scratch.db.prepare(
      `INSERT INTO board_items (id, board_id, kind, x, y, width, height, z_index, data_json, created_at, updated_at)
       VALUES ('i1', 'b1', 'reference', 10, 20, 256, 128, 3, '{"sourceItemIds":[]}', 1, 1)`,
    ).run();

    const report = migrateDatabase(scratch.db, upTo3, { backupsFolder: scratch.backupsFolder, now: () => 0 });

    expect(report).toMatchObject({ from: 2, to: 3 });
    expect(report.backupPath).not.toBeNull();
    expect(schemaVersionOf(scratch.db)).toBe(3);
    expect(columnsOf('board_items').at(-1)).toBe('deleted_at');
    expect(scratch.db.prepare(`SELECT id, x, y, width, height, z_index, deleted_at FROM board_items`).all()).toEqual([
      { id: 'i1', x: 10, y: 20, width: 256, height: 128, z_index: 3, deleted_at: null },
    ]);
    expect(scratch.db.pragma('foreign_key_check')).toEqual([]);
  });

  it('creates presets and settings keyed by name and key', () => {
    migrateDatabase(scratch.db, upTo3, { backupsFolder: scratch.backupsFolder });
    expect(columnsOf('presets')).toEqual(['name', 'params_json', 'updated_at']);
    expect(columnsOf('settings')).toEqual(['key', 'value_json', 'updated_at']);

    scratch.db.prepare(`INSERT INTO presets (name, params_json, updated_at) VALUES ('Fast', '{"count":1}', 1)`).run();
    expect(() => scratch.db.prepare(`INSERT INTO presets (name, params_json, updated_at) VALUES ('Fast', '{}', 2)`).run()).toThrow(/UNIQUE/);
    scratch.db.prepare(`INSERT INTO settings (key, value_json, updated_at) VALUES ('queue.paused', 'true', 1)`).run();
    expect(() => scratch.db.prepare(`INSERT INTO settings (key, value_json, updated_at) VALUES ('queue.paused', 'false', 2)`).run()).toThrow(
      /UNIQUE/,
    );
  });

  it('refuses rows that break the constraints', () => {
    migrateDatabase(scratch.db, upTo3, { backupsFolder: scratch.backupsFolder });
    const preset = (name: string, params: string, updatedAt: unknown = 1) => () =>
      scratch.db.prepare('INSERT INTO presets (name, params_json, updated_at) VALUES (?, ?, ?)').run(name, params, updatedAt);
    const setting = (key: string, value: string) => () =>
      scratch.db.prepare('INSERT INTO settings (key, value_json, updated_at) VALUES (?, ?, 1)').run(key, value);

    expect(preset('Broken', '{oops')).toThrow(/CHECK/);
    expect(preset('   ', '{}')).toThrow(/CHECK/);
    expect(preset('Late', '{}', 'yesterday')).toThrow(/cannot store TEXT/);
    expect(setting('theme', 'dark')).toThrow(/CHECK/); // not JSON: a string value is stored as "dark"
    expect(setting('', 'true')).toThrow(/CHECK/);
    scratch.db.prepare(`INSERT INTO boards (id, name, created_at, updated_at) VALUES ('b1', 'Cats', 1, 1)`).run();
    scratch.db.prepare(
      `INSERT INTO board_items (id, board_id, kind, x, y, width, height, z_index, created_at, updated_at)
       VALUES ('i1', 'b1', 'note', 0, 0, 1, 1, 0, 1, 1)`,
    ).run();
    expect(() => scratch.db.prepare(`UPDATE board_items SET deleted_at = 'now'`).run()).toThrow(/cannot store TEXT/);
  });
});
