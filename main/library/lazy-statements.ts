import type { Database, Statement } from 'better-sqlite3';

export type SqlFor = <P extends unknown[] = unknown[], R = unknown>(text: string) => Statement<P, R>;

/**
 * `sql(text)` prepares a statement on first use and reuses it after. Preparing lazily lets a
 * repository be created on a database at an older schema (tests that migrate step by step): only
 * the statements actually run must match the schema.
 */
export function lazyStatements(db: Database): SqlFor {
  const prepared = new Map<string, Statement>();
  return <P extends unknown[] = unknown[], R = unknown>(text: string): Statement<P, R> => {
    let statement = prepared.get(text);
    if (statement === undefined) {
      statement = db.prepare(text);
      prepared.set(text, statement);
    }
    return statement as unknown as Statement<P, R>;
  };
}
