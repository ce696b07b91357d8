import BetterSqlite3 from 'better-sqlite3';
import type { Database } from 'better-sqlite3';
import { migrations } from './index';

/** A new in-memory database at the newest schema, foreign keys on as the library opens its file. */
export function migratedMemoryDatabase(): Database {
  const db = new BetterSqlite3(':memory:');
  db.pragma('foreign_keys = ON');
  for (const migration of migrations) {
    migration.up(db);
  }
  return db;
}
