import fs from 'node:fs';
import path from 'node:path';
import type { Database } from 'better-sqlite3';
import { fsyncDirectory, fsyncFile } from './durable-files';

/**
 * One schema step. `up` runs inside a transaction that also sets `user_version` to `version`, so a
 * database is always exactly at one version. Each migration has its own file and test (style.md §9).
 *
 * A future migration that rebuilds a table must follow SQLite's 12-step ALTER TABLE procedure; note that
 * `PRAGMA foreign_keys` cannot be switched inside the transaction, so the runner would need an option for it.
 */
export type Migration = {
  readonly version: number;
  readonly name: string;
  up(db: Database): void;
};

export type MigrationReport = {
  from: number;
  to: number;
  /** The copy taken before migrating, or null when nothing needed one (fresh or already current). */
  backupPath: string | null;
};

export type MigrateOptions = {
  backupsFolder: string;
  now?: () => number;
};

export function schemaVersionOf(db: Database): number {
  return db.pragma('user_version', { simple: true }) as number;
}

export function latestVersionOf(migrations: readonly Migration[]): number {
  return migrations.at(-1)?.version ?? 0;
}

/**
 * Brings `db` up to the newest migration. A database that already holds user data (version ≥ 1) is
 * copied to `backupsFolder` first, so a migration bug can never cost the user their library.
 * The caller must have refused databases newer than `migrations` (see database.ts).
 */
export function migrateDatabase(db: Database, migrations: readonly Migration[], options: MigrateOptions): MigrationReport {
  assertInOrder(migrations);
  const from = schemaVersionOf(db);
  const to = latestVersionOf(migrations);
  if (from > to) {
    throw new Error(`Refusing to migrate: the database is at schema ${from}, newer than this build's ${to}`);
  }
  if (from === to) {
    return { from, to, backupPath: null };
  }
  const backupPath =
    from >= 1 ? backupDatabase(db, path.join(options.backupsFolder, backupFileName(from, (options.now ?? Date.now)()))) : null;
  for (const migration of migrations) {
    if (migration.version > from) {
      db.transaction(() => {
        migration.up(db);
        db.pragma(`user_version = ${migration.version}`);
      })();
    }
  }
  return { from, to, backupPath };
}

/** `library-v1-2026-11-26T101500.123Z.sqlite`: colons are not allowed in Windows file names. */
export function backupFileName(fromVersion: number, timeMs: number): string {
  return `library-v${fromVersion}-${new Date(timeMs).toISOString().replaceAll(':', '')}.sqlite`;
}

/**
 * Writes a consistent, self-contained copy of `db` to `destination`.
 *
 * Why `VACUUM INTO` and not better-sqlite3's `db.backup()`: `backup()` is asynchronous, which would make
 * `openLibrary` asynchronous too; `VACUUM INTO` is SQLite's synchronous way to write a transactionally
 * consistent snapshot (it keeps `user_version`, and the copy is a single file with no -wal beside it).
 * It goes to a temp name first so an interrupted copy is never mistaken for a good backup.
 */
export function backupDatabase(db: Database, destination: string): string {
  const folder = path.dirname(destination);
  fs.mkdirSync(folder, { recursive: true });
  const temp = `${destination}.partial`;
  fs.rmSync(temp, { force: true });
  try {
    db.prepare('VACUUM INTO ?').run(temp);
    fsyncFile(temp);
    fs.renameSync(temp, destination);
  } catch (error) {
    fs.rmSync(temp, { force: true });
    throw error;
  }
  fsyncDirectory(folder);
  return destination;
}

function assertInOrder(migrations: readonly Migration[]): void {
  migrations.forEach((migration, index) => {
    if (migration.version !== index + 1) {
      throw new Error(`Migration "${migration.name}" has version ${migration.version}; expected ${index + 1} (versions run 1, 2, 3, … with no gaps)`);
    }
  });
}
