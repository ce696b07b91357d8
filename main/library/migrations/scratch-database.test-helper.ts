/**
 * What every migration test needs: a real library file in a fresh folder (WAL, foreign keys on, as
 * the studio opens it), closed and removed after each test, and a way to write a generation row at
 * whatever schema version the test has migrated to.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import type { Database } from 'better-sqlite3';
import { afterEach, beforeEach } from 'vitest';

export interface ScratchDatabase {
  readonly db: Database;
  readonly backupsFolder: string;
  /** Inserts a `done` generation with these columns overriding the defaults; only columns the schema has. */
  insertGeneration(id: string, columns?: Record<string, unknown>): void;
}

/** Call at the top of a test file; read the returned object inside tests (it changes per test). */
export function useScratchDatabase(prefix: string): ScratchDatabase {
  let folder = '';
  let db: Database | null = null;
  beforeEach(() => {
    folder = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
    db = new BetterSqlite3(path.join(folder, 'library.sqlite'));
    db.pragma('journal_mode = WAL');
    db.pragma('foreign_keys = ON');
  });
  afterEach(() => {
    db?.close();
    db = null;
    fs.rmSync(folder, { recursive: true, force: true });
  });
  const open = (): Database => {
    if (db === null) {
      throw new Error('The scratch database is open only inside a test');
    }
    return db;
  };
  return {
    get db() {
      return open();
    },
    get backupsFolder() {
      return path.join(folder, 'backups');
    },
    insertGeneration(id, columns = {}) {
      const row = {
        id,
        status: 'done',
        queue_position: 1,
        prompt: `prompt of ${id}`,
        params_json: '{"cfgScale":3}',
        seed: '42',
        bundle_sha256: 'b'.repeat(64),
        engine_version: '0.1.0',
        created_at: 1,
        ...columns,
      };
      const keys = Object.keys(row);
      open().prepare(`INSERT INTO generations (${keys.join(', ')}) VALUES (${keys.map((key) => `@${key}`).join(', ')})`).run(row);
    },
  };
}
