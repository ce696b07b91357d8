import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LATEST_SCHEMA_VERSION, libraryPaths, openLibrary } from './library';
import type { Migration } from './migrate';
import { migrations } from './migrations';

let dataFolder: string;
let databaseFile: string;
beforeEach(() => {
  dataFolder = fs.mkdtempSync(path.join(os.tmpdir(), 'library-'));
  databaseFile = libraryPaths(dataFolder).database;
});
afterEach(() => {
  fs.rmSync(dataFolder, { recursive: true, force: true });
});

const fileHash = (file: string): string => createHash('sha256').update(fs.readFileSync(file)).digest('hex');
const unavailable = expect.objectContaining({ code: 'library_unavailable' });

/** Opens the library expecting a refusal, and checks that the database file was not changed or removed. */
function expectRefusedUntouched(state: 'damaged' | 'too-new'): string {
  const hashBefore = fileHash(databaseFile);
  const filesBefore = fs.readdirSync(dataFolder);
  const library = openLibrary(dataFolder);
  try {
    expect(library.state.state).toBe(state);
    expect(library.state.databasePath).toBe(databaseFile);
    expect(library.state.message).toContain(databaseFile);
    expect(library.state.message).toContain('untouched');
    expect(() => library.boards.list()).toThrow(unavailable);
    expect(() => library.boards.create('x')).toThrow(unavailable);
    expect(() => library.assets.put(Buffer.from('x'), { mime: 'image/png' })).toThrow(unavailable);
    expect(() => library.boardItems.list('5b1c2a4e-8f7d-4c3b-9a2e-1f0d3c4b5a69')).toThrow(unavailable);
    expect(() => library.presets.list()).toThrow(unavailable);
    expect(() => library.settings.get('queue.paused', false)).toThrow(unavailable);
  } finally {
    library.close();
  }
  expect(fileHash(databaseFile)).toBe(hashBefore);
  expect(fs.readdirSync(dataFolder)).toEqual(expect.arrayContaining(filesBefore));
  return library.state.message ?? '';
}

/** A real library with a few thousand rows, so that the file has many pages; returns its page size. */
function createBigLibrary(): number {
  openLibrary(dataFolder).close();
  const db = new BetterSqlite3(databaseFile);
  const insert = db.prepare(
    `INSERT INTO generations (id, batch_id, status, queue_position, prompt, params_json, seed, bundle_sha256, engine_version, created_at)
     VALUES (?, ?, 'done', ?, ?, '{}', '42', 'bundle', '0.1.0', ?)`,
  );
  db.transaction(() => {
    for (let index = 0; index < 3_000; index++) {
      insert.run(`generation-${index}`, `generation-${index}`, index, `a cat as a pixel-art hero, variation ${index}`, index);
    }
  })();
  const pageSize = db.pragma('page_size', { simple: true }) as number;
  db.close(); // checkpoints the WAL into the main file and removes it
  expect(fs.existsSync(`${databaseFile}-wal`)).toBe(false);
  return pageSize;
}

function overwritePage(pageNumber: number, pageSize: number): void {
  const fd = fs.openSync(databaseFile, 'r+');
  try {
    fs.writeSync(fd, Buffer.alloc(pageSize, 0xa5), 0, pageSize, (pageNumber - 1) * pageSize);
  } finally {
    fs.closeSync(fd);
  }
}

describe('openLibrary', () => {
  it('creates a fresh library at the latest schema, in WAL mode', () => {
    const library = openLibrary(dataFolder);
    expect(library.state).toEqual({ state: 'ok', message: null, databasePath: databaseFile, schemaVersion: LATEST_SCHEMA_VERSION });
    expect(LATEST_SCHEMA_VERSION).toBe(migrations.length);
    const board = library.boards.create('Cats');
    library.close();
    library.close(); // closing twice is harmless

    const db = new BetterSqlite3(databaseFile, { readonly: true });
    expect(db.pragma('user_version', { simple: true })).toBe(LATEST_SCHEMA_VERSION);
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    db.close();

    const reopened = openLibrary(dataFolder);
    expect(reopened.boards.list()).toEqual([board]);
    reopened.close();
  });

  it('creates a missing data folder', () => {
    const nested = path.join(dataFolder, 'a', 'b');
    const library = openLibrary(nested);
    expect(library.state.state).toBe('ok');
    library.close();
    expect(fs.existsSync(path.join(nested, 'library.sqlite'))).toBe(true);
  });

  it('refuses a file that is not a database, and leaves it untouched', () => {
    fs.writeFileSync(databaseFile, Buffer.from('these bytes are not an SQLite database, whatever the name says. '.repeat(200)));
    const message = expectRefusedUntouched('damaged');
    expect(message).toContain(libraryPaths(dataFolder).backups);
  });

  it('refuses a database from a newer studio, and leaves it untouched', () => {
    openLibrary(dataFolder).close();
    const db = new BetterSqlite3(databaseFile);
    db.pragma('user_version = 999');
    db.close();

    const message = expectRefusedUntouched('too-new');
    expect(message).toContain(`schema 999, this build knows ${LATEST_SCHEMA_VERSION}`);
    const library = openLibrary(dataFolder);
    expect(library.state.schemaVersion).toBe(999);
    library.close();
  });

  it('refuses a real database with a damaged page 3, and leaves it untouched', () => {
    const pageSize = createBigLibrary();
    overwritePage(3, pageSize);
    expectRefusedUntouched('damaged');
  });

  it('refuses a real database with a damaged page in the middle, and leaves it untouched', () => {
    const pageSize = createBigLibrary();
    const pages = fs.statSync(databaseFile).size / pageSize;
    expect(pages).toBeGreaterThan(20);
    overwritePage(Math.floor(pages / 2), pageSize);
    const message = expectRefusedUntouched('damaged');
    expect(message).toMatch(/integrity check|malformed/);
  });

  it('backs up and migrates an older library', () => {
    const v1 = migrations.slice(0, 1);
    openLibrary(dataFolder, { migrations: v1 }).close();
    // Written as schema 1 has it: today's repositories read columns that later migrations add.
    const raw = new BetterSqlite3(databaseFile);
    raw.prepare(`INSERT INTO boards (id, name, created_at, updated_at) VALUES ('5b1c2a4e-8f7d-4c3b-9a2e-1f0d3c4b5a69', 'Kept', 1, 1)`).run();
    raw.close();

    const addColumn: Migration = {
      version: LATEST_SCHEMA_VERSION + 1,
      name: 'test',
      up: (db) => db.exec('ALTER TABLE boards ADD COLUMN colour TEXT'),
    };
    const upgraded = openLibrary(dataFolder, { migrations: [...migrations, addColumn], now: () => 0 });
    expect(upgraded.state).toMatchObject({ state: 'ok', schemaVersion: LATEST_SCHEMA_VERSION + 1 });
    expect(upgraded.boards.list().map((board) => board.name)).toEqual(['Kept']);
    upgraded.close();

    const backup = path.join(libraryPaths(dataFolder).backups, 'library-v1-1970-01-01T000000.000Z.sqlite');
    const db = new BetterSqlite3(backup, { readonly: true, fileMustExist: true });
    expect(db.pragma('user_version', { simple: true })).toBe(1);
    expect(db.prepare('SELECT name FROM boards').all()).toEqual([{ name: 'Kept' }]);
    db.close();
  });

  it('reports a failed migration as unavailable instead of throwing, keeping the old version', () => {
    openLibrary(dataFolder).close();
    const broken: Migration = {
      version: LATEST_SCHEMA_VERSION + 1,
      name: 'broken',
      up: () => {
        throw new Error('bug in migration');
      },
    };
    const library = openLibrary(dataFolder, { migrations: [...migrations, broken] });
    expect(library.state.state).toBe('unavailable');
    expect(library.state.message).toContain('bug in migration');
    expect(library.state.schemaVersion).toBe(LATEST_SCHEMA_VERSION);
    expect(() => library.boards.list()).toThrow(unavailable);
    const again = openLibrary(dataFolder);
    expect(again.state.state).toBe('ok');
    again.close();
  });

  it('reports a data folder that cannot be created as unavailable', () => {
    const blocked = path.join(dataFolder, 'file');
    fs.writeFileSync(blocked, 'not a folder');
    const library = openLibrary(path.join(blocked, 'studio'));
    expect(library.state.state).toBe('unavailable');
    expect(library.state.message).toContain('could not be opened');
  });
});
