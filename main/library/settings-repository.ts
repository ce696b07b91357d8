import type { Database } from 'better-sqlite3';
import { lazyStatements } from './lazy-statements';

export type SettingsRepository = {
  /**
   * The stored value of `key`, or `fallback` when none is stored. A stored value whose JSON type is not
   * the fallback's (a hand edit, or a setting whose meaning changed) also gives `fallback`: a setting is
   * a preference, and a wrong one must not stop the app.
   */
  get<T>(key: string, fallback: T): T;
  /** Stores `value` as JSON (a value JSON cannot hold, such as `undefined` or a function, is refused). */
  set(key: string, value: unknown): void;
};

export type SettingsRepositoryOptions = { now?: () => number };

/**
 * App state that must survive a restart (e.g. `queue.paused`), one JSON value per key. Keys are
 * dotted by owner (`queue.paused`, `canvas.grid`) so owners cannot collide.
 */
export function createSettingsRepository(db: Database, options: SettingsRepositoryOptions = {}): SettingsRepository {
  const now = options.now ?? Date.now;
  const sql = lazyStatements(db);
  return {
    get<T>(key: string, fallback: T): T {
      const row = sql<[string], { value_json: string }>('SELECT value_json FROM settings WHERE key = ?').get(key);
      if (row === undefined) {
        return fallback;
      }
      const value = JSON.parse(row.value_json) as unknown;
      return sameJsonType(value, fallback) ? (value as T) : fallback;
    },
    set(key, value) {
      if (key === '') {
        throw new RangeError('A setting needs a key');
      }
      const json = JSON.stringify(value) as string | undefined;
      if (json === undefined) {
        throw new TypeError(`The setting ${key} cannot be stored: ${typeof value} is not a JSON value`);
      }
      sql(
        `INSERT INTO settings (key, value_json, updated_at) VALUES (?, ?, ?)
         ON CONFLICT (key) DO UPDATE SET value_json = excluded.value_json, updated_at = excluded.updated_at`,
      ).run(key, json, now());
    },
  };
}

function jsonTypeOf(value: unknown): string {
  return value === null ? 'null' : Array.isArray(value) ? 'array' : typeof value;
}

/** A `null` fallback accepts any stored value (the caller has no type to hold it to). */
function sameJsonType(value: unknown, fallback: unknown): boolean {
  return fallback === null || jsonTypeOf(value) === jsonTypeOf(fallback);
}
