import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { backupFileName, migrateDatabase, schemaVersionOf, type Migration } from './migrate';

const createNotes: Migration = {
  version: 1,
  name: 'notes',
  up: (db) => db.exec('CREATE TABLE notes (id INTEGER PRIMARY KEY, text TEXT NOT NULL)'),
};
const addStarred: Migration = {
  version: 2,
  name: 'notes-starred',
  up: (db) => db.exec('ALTER TABLE notes ADD COLUMN starred INTEGER NOT NULL DEFAULT 0'),
};

let folder: string;
let backups: string;
beforeEach(() => {
  folder = fs.mkdtempSync(path.join(os.tmpdir(), 'migrate-'));
  backups = path.join(folder, 'backups');
});
afterEach(() => {
  fs.rmSync(folder, { recursive: true, force: true });
});

function openAt(file: string): BetterSqlite3.Database {
  const db = new BetterSqlite3(file);
  db.pragma('journal_mode = WAL');
  return db;
}

describe('migrateDatabase', () => {
  it('migrates a fresh database to the newest version without a backup', () => {
    const db = openAt(path.join(folder, 'library.sqlite'));
    expect(migrateDatabase(db, [createNotes, addStarred], { backupsFolder: backups })).toEqual({ from: 0, to: 2, backupPath: null });
    expect(schemaVersionOf(db)).toBe(2);
    expect(fs.existsSync(backups)).toBe(false);
    db.close();
  });

  it('backs up a v1 database, with its rows and its version, before migrating it to v2', () => {
    const db = openAt(path.join(folder, 'library.sqlite'));
    migrateDatabase(db, [createNotes], { backupsFolder: backups });
    const insert = db.prepare('INSERT INTO notes (text) VALUES (?)');
    for (let index = 0; index < 100; index++) {
      insert.run(`note ${index}`);
    }

    const now = Date.UTC(2026, 10, 26, 10, 15, 0, 123);
    const report = migrateDatabase(db, [createNotes, addStarred], { backupsFolder: backups, now: () => now });

    expect(report.from).toBe(1);
    expect(report.to).toBe(2);
    expect(report.backupPath).toBe(path.join(backups, 'library-v1-2026-11-26T101500.123Z.sqlite'));
    expect(fs.readdirSync(backups)).toEqual(['library-v1-2026-11-26T101500.123Z.sqlite']);
    expect(schemaVersionOf(db)).toBe(2);
    db.close();

    const backup = new BetterSqlite3(report.backupPath ?? '', { readonly: true, fileMustExist: true });
    expect(schemaVersionOf(backup)).toBe(1);
    expect(backup.prepare('SELECT count(*) AS n FROM notes').get()).toEqual({ n: 100 });
    expect((backup.pragma('table_info(notes)') as { name: string }[]).map((column) => column.name)).toEqual(['id', 'text']);
    backup.close();
  });

  it('does nothing when the database is current', () => {
    const db = openAt(path.join(folder, 'library.sqlite'));
    migrateDatabase(db, [createNotes], { backupsFolder: backups });
    expect(migrateDatabase(db, [createNotes], { backupsFolder: backups })).toEqual({ from: 1, to: 1, backupPath: null });
    expect(fs.existsSync(backups)).toBe(false);
    db.close();
  });

  it('rolls a failing migration back whole and keeps the old version', () => {
    const db = openAt(path.join(folder, 'library.sqlite'));
    migrateDatabase(db, [createNotes], { backupsFolder: backups });
    const broken: Migration = {
      version: 2,
      name: 'broken',
      up: (target) => {
        target.exec('CREATE TABLE half_done (id INTEGER)');
        throw new Error('bug in migration');
      },
    };
    expect(() => migrateDatabase(db, [createNotes, broken], { backupsFolder: backups })).toThrow('bug in migration');
    expect(schemaVersionOf(db)).toBe(1);
    expect(db.prepare(`SELECT count(*) AS n FROM sqlite_master WHERE name = 'half_done'`).get()).toEqual({ n: 0 });
    expect(fs.readdirSync(backups)).toHaveLength(1);
    db.close();
  });

  it('refuses migration lists with gaps and databases newer than the list', () => {
    const db = new BetterSqlite3(':memory:');
    expect(() => migrateDatabase(db, [addStarred], { backupsFolder: backups })).toThrow(/expected 1/);
    db.pragma('user_version = 5');
    expect(() => migrateDatabase(db, [createNotes], { backupsFolder: backups })).toThrow(/newer/);
    db.close();
  });
});

describe('backupFileName', () => {
  it('has no colons, so it is a valid Windows file name', () => {
    expect(backupFileName(3, 0)).toBe('library-v3-1970-01-01T000000.000Z.sqlite');
  });
});
