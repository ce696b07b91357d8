import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import type { Database } from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { migrateDatabase, schemaVersionOf } from '../migrate';
import { initialMigration } from './0001-initial';
import { generationBatchesMigration } from './0002-generation-batches';
import { canvasPresetsSettingsMigration } from './0003-canvas-presets-settings';
import { migrations } from './index';

let folder: string;
let db: Database;
beforeEach(() => {
  folder = fs.mkdtempSync(path.join(os.tmpdir(), 'migration-0003-'));
  db = new BetterSqlite3(path.join(folder, 'library.sqlite'));
  db.pragma('journal_mode = WAL');
  db.pragma('foreign_keys = ON');
});
afterEach(() => {
  db.close();
  fs.rmSync(folder, { recursive: true, force: true });
});

const backupsFolder = (): string => path.join(folder, 'backups');
const columnsOf = (table: string): string[] =>
  (db.pragma(`table_info(${table})`) as { name: string }[]).map((column) => column.name);
const upTo3 = [initialMigration, generationBatchesMigration, canvasPresetsSettingsMigration];

describe('migration 0003 canvas, presets, settings', () => {
  it('is version 3, third in the list', () => {
    expect(canvasPresetsSettingsMigration).toMatchObject({ version: 3, name: 'canvas-presets-settings' });
    expect(migrations.indexOf(canvasPresetsSettingsMigration)).toBe(2);
  });

  it('migrates a v2 library with board items: backup first, every item kept and not deleted', () => {
    migrateDatabase(db, upTo3.slice(0, 2), { backupsFolder: backupsFolder() });
    db.prepare(`INSERT INTO boards (id, name, created_at, updated_at) VALUES ('b1', 'Cats', 1, 1)`).run();
    db.prepare(
      `INSERT INTO board_items (id, board_id, kind, x, y, width, height, z_index, data_json, created_at, updated_at)
       VALUES ('i1', 'b1', 'reference', 10, 20, 256, 128, 3, '{"sourceItemIds":[]}', 1, 1)`,
    ).run();

    const report = migrateDatabase(db, upTo3, { backupsFolder: backupsFolder(), now: () => 0 });

    expect(report).toMatchObject({ from: 2, to: 3 });
    expect(report.backupPath).not.toBeNull();
    expect(schemaVersionOf(db)).toBe(3);
    expect(columnsOf('board_items').at(-1)).toBe('deleted_at');
    expect(db.prepare(`SELECT id, x, y, width, height, z_index, deleted_at FROM board_items`).all()).toEqual([
      { id: 'i1', x: 10, y: 20, width: 256, height: 128, z_index: 3, deleted_at: null },
    ]);
    expect(db.pragma('foreign_key_check')).toEqual([]);
  });

  it('creates presets and settings keyed by name and key', () => {
    migrateDatabase(db, upTo3, { backupsFolder: backupsFolder() });
    expect(columnsOf('presets')).toEqual(['name', 'params_json', 'updated_at']);
    expect(columnsOf('settings')).toEqual(['key', 'value_json', 'updated_at']);

    db.prepare(`INSERT INTO presets (name, params_json, updated_at) VALUES ('Fast', '{"count":1}', 1)`).run();
    expect(() => db.prepare(`INSERT INTO presets (name, params_json, updated_at) VALUES ('Fast', '{}', 2)`).run()).toThrow(/UNIQUE/);
    db.prepare(`INSERT INTO settings (key, value_json, updated_at) VALUES ('queue.paused', 'true', 1)`).run();
    expect(() => db.prepare(`INSERT INTO settings (key, value_json, updated_at) VALUES ('queue.paused', 'false', 2)`).run()).toThrow(
      /UNIQUE/,
    );
  });

  it('refuses rows that break the constraints', () => {
    migrateDatabase(db, upTo3, { backupsFolder: backupsFolder() });
    const preset = (name: string, params: string, updatedAt: unknown = 1) => () =>
      db.prepare('INSERT INTO presets (name, params_json, updated_at) VALUES (?, ?, ?)').run(name, params, updatedAt);
    const setting = (key: string, value: string) => () =>
      db.prepare('INSERT INTO settings (key, value_json, updated_at) VALUES (?, ?, 1)').run(key, value);

    expect(preset('Broken', '{oops')).toThrow(/CHECK/);
    expect(preset('   ', '{}')).toThrow(/CHECK/);
    expect(preset('Late', '{}', 'yesterday')).toThrow(/cannot store TEXT/);
    expect(setting('theme', 'dark')).toThrow(/CHECK/); // not JSON: a string value is stored as "dark"
    expect(setting('', 'true')).toThrow(/CHECK/);
    db.prepare(`INSERT INTO boards (id, name, created_at, updated_at) VALUES ('b1', 'Cats', 1, 1)`).run();
    db.prepare(
      `INSERT INTO board_items (id, board_id, kind, x, y, width, height, z_index, created_at, updated_at)
       VALUES ('i1', 'b1', 'note', 0, 0, 1, 1, 0, 1, 1)`,
    ).run();
    expect(() => db.prepare(`UPDATE board_items SET deleted_at = 'now'`).run()).toThrow(/cannot store TEXT/);
  });
});
