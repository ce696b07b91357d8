import fs from 'node:fs';
import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import type { Database } from 'better-sqlite3';

export type OpenedDatabase =
  | { state: 'ok'; db: Database; schemaVersion: number }
  | { state: 'damaged' | 'too-new' | 'unavailable'; message: string; schemaVersion: number };

export type OpenDatabaseOptions = {
  /** The newest schema this build can migrate to; a file above it is refused. */
  latestSchemaVersion: number;
  /** Named in the message about a damaged database, so the user knows where to look. */
  backupsFolder: string;
};

/** How long a write waits for another connection's lock (a second window, a CLI) before failing. */
const busyTimeoutMs = 5_000;

/**
 * Opens (or creates) the library database, refusing files it must not touch.
 *
 * An existing file is first checked through a read-only connection: a damaged file or one written by a
 * newer studio is reported and never opened for writing, so nothing here can delete, truncate, checkpoint
 * into or migrate it. A read-only open may leave empty `-wal`/`-shm` files beside it (the database file
 * itself is not written); they are never deleted, since a newer studio may be using them.
 * Never throws: failures come back as a state with a message for the user.
 */
export function openDatabase(file: string, options: OpenDatabaseOptions): OpenedDatabase {
  try {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    if (fs.existsSync(file)) {
      const checked = checkExistingDatabase(file, options);
      if (checked.state !== 'ok') {
        return checked;
      }
    }
    const db = new BetterSqlite3(file);
    try {
      configure(db);
      return { state: 'ok', db, schemaVersion: db.pragma('user_version', { simple: true }) as number };
    } catch (error) {
      db.close();
      throw error;
    }
  } catch (error) {
    return {
      state: 'unavailable',
      schemaVersion: 0,
      message: `The library database ${file} could not be opened: ${errorText(error)}`,
    };
  }
}

type CheckResult = { state: 'ok' } | Exclude<OpenedDatabase, { state: 'ok' }>;

function checkExistingDatabase(file: string, options: OpenDatabaseOptions): CheckResult {
  const damaged = (detail: string): CheckResult => ({
    state: 'damaged',
    schemaVersion: 0,
    message:
      `The library database ${file} is damaged (${detail}). MENTOR Studio left it untouched and did not open it. ` +
      `Copies taken before schema upgrades are in ${options.backupsFolder}; to restore one, quit the studio and ` +
      `copy it over ${path.basename(file)} (keep the damaged file somewhere else in case it can be repaired).`,
  });

  let db: Database;
  try {
    db = new BetterSqlite3(file, { readonly: true, fileMustExist: true });
  } catch (error) {
    if (isDamageError(error)) {
      return damaged(errorText(error));
    }
    throw error;
  }
  try {
    const schemaVersion = db.pragma('user_version', { simple: true }) as number;
    // quick_check, not integrity_check: it still reads and verifies every page of every table and index
    // (the damage a torn write or a failing disk causes), and skips only the cross-check that each index
    // entry matches its table row, the O(N log N) part that grows with the library and would slow every
    // start. Measured on a 74 MB library of 100k generations: quick_check 0.4-0.7 s, integrity_check 1.3-1.4 s.
    // A full integrity_check belongs in an explicit "check library" action.
    const problems = (db.pragma('quick_check(10)') as { quick_check: string }[]).map((row) => row.quick_check);
    if (problems.length !== 1 || problems[0] !== 'ok') {
      return damaged(`integrity check: ${summarize(problems)}`);
    }
    if (schemaVersion > options.latestSchemaVersion) {
      return {
        state: 'too-new',
        schemaVersion,
        message:
          `The library database ${file} was written by a newer MENTOR Studio (schema ${schemaVersion}, this build ` +
          `knows ${options.latestSchemaVersion}). It was left untouched; update MENTOR Studio to open it.`,
      };
    }
    return { state: 'ok' };
  } catch (error) {
    if (isDamageError(error)) {
      return damaged(errorText(error));
    }
    throw error;
  } finally {
    db.close();
  }
}

/**
 * WAL lets the UI read while a generation is being recorded. synchronous=FULL, not NORMAL: in WAL mode
 * NORMAL does not fsync the log at commit, so a committed row survives a killed process but can vanish on
 * power loss or an OS crash; "never lose a result" needs FULL. It costs one fsync per write transaction,
 * and the studio writes a few rows per user action or finished image, not thousands per second.
 */
function configure(db: Database): void {
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.pragma('foreign_keys = ON');
  db.pragma(`busy_timeout = ${busyTimeoutMs}`);
}

/** Corruption or "not a database"; anything else (permissions, locks, I/O) is not the file's fault. */
function isDamageError(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && (code === 'SQLITE_NOTADB' || code.startsWith('SQLITE_CORRUPT'));
}

/** quick_check can report hundreds of lines for one bad page; the user needs the first few. */
function summarize(problems: string[]): string {
  const lines = problems.flatMap((problem) => problem.split('\n')).filter((line) => !line.startsWith('***'));
  const shown = lines.slice(0, 3).join('; ');
  return lines.length > 3 ? `${shown}; and ${lines.length - 3} more` : shown;
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
