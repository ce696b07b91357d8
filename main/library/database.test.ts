import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase, type OpenedDatabase } from './database';

let folder: string;
beforeEach(() => {
  folder = fs.mkdtempSync(path.join(os.tmpdir(), 'database-'));
});
afterEach(() => {
  fs.rmSync(folder, { recursive: true, force: true });
});

const options = (latestSchemaVersion = 1) => ({ latestSchemaVersion, backupsFolder: path.join(folder, 'backups') });

function expectOk(opened: OpenedDatabase): BetterSqlite3.Database {
  if (opened.state !== 'ok') {
    throw new Error(`expected ok, got ${opened.state}: ${opened.message}`);
  }
  return opened.db;
}

describe('openDatabase', () => {
  it('creates the folder and sets WAL, synchronous=FULL, foreign keys and a busy timeout', () => {
    const db = expectOk(openDatabase(path.join(folder, 'new', 'library.sqlite'), options()));
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('synchronous', { simple: true })).toBe(2); // FULL
    expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
    expect(db.pragma('busy_timeout', { simple: true })).toBe(5_000);
    db.close();
  });

  it('treats an empty file as a new database', () => {
    const file = path.join(folder, 'library.sqlite');
    fs.writeFileSync(file, '');
    const opened = openDatabase(file, options());
    expect(opened).toMatchObject({ state: 'ok', schemaVersion: 0 });
    expectOk(opened).close();
  });

  it('recovers the rows a killed process left in the WAL instead of calling the file damaged', () => {
    // Copying the three files while a writer still holds them is what a SIGKILL leaves on disk.
    const live = path.join(folder, 'live.sqlite');
    const writer = new BetterSqlite3(live);
    writer.pragma('journal_mode = WAL');
    writer.pragma('wal_autocheckpoint = 0');
    writer.exec('CREATE TABLE t (x INTEGER); INSERT INTO t VALUES (1), (2), (3); PRAGMA user_version = 1;');
    const crashed = path.join(folder, 'crashed');
    fs.mkdirSync(crashed);
    for (const suffix of ['', '-wal', '-shm']) {
      fs.copyFileSync(`${live}${suffix}`, path.join(crashed, `library.sqlite${suffix}`));
    }
    writer.close();
    expect(fs.statSync(path.join(crashed, 'library.sqlite-wal')).size).toBeGreaterThan(0);

    const db = expectOk(openDatabase(path.join(crashed, 'library.sqlite'), options()));
    expect(db.prepare('SELECT count(*) AS n FROM t').get()).toEqual({ n: 3 });
    expect(db.pragma('user_version', { simple: true })).toBe(1);
    db.close();
  });

  it('names the backups folder when a file is damaged', () => {
    const file = path.join(folder, 'library.sqlite');
    fs.writeFileSync(file, 'x'.repeat(4096));
    const opened = openDatabase(file, options());
    expect(opened.state).toBe('damaged');
    expect(opened.state !== 'ok' && opened.message).toContain(path.join(folder, 'backups'));
  });

  it('reports too-new with both schema versions', () => {
    const file = path.join(folder, 'library.sqlite');
    const db = new BetterSqlite3(file);
    db.pragma('user_version = 7');
    db.close();
    const opened = openDatabase(file, options(3));
    expect(opened).toMatchObject({ state: 'too-new', schemaVersion: 7 });
    expect(opened.state !== 'ok' && opened.message).toContain('written by a newer MENTOR Studio (schema 7, this build knows 3)');
  });
});
