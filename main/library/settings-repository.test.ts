import type { Database } from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { migratedMemoryDatabase } from './migrations/memory-database.test-helper';
import { createSettingsRepository, type SettingsRepository } from './settings-repository';

let db: Database;
let clock: number;
let settings: SettingsRepository;
beforeEach(() => {
  db = migratedMemoryDatabase();
  clock = 1_000;
  settings = createSettingsRepository(db, { now: () => clock });
});
afterEach(() => db.close());

describe('SettingsRepository', () => {
  it('gives the fallback for a key never set', () => {
    expect(settings.get('queue.paused', false)).toBe(false);
    expect(settings.get('canvas.zoom', 1.5)).toBe(1.5);
  });

  it('keeps what was set, overwriting the previous value, across repository instances', () => {
    settings.set('queue.paused', true);
    expect(settings.get('queue.paused', false)).toBe(true);
    clock = 2_000;
    settings.set('queue.paused', false);
    expect(settings.get('queue.paused', true)).toBe(false);
    settings.set('canvas.view', { x: 10, y: -4.5, zoom: 2 });
    // A second repository on the same database, as after a restart of the services.
    const again = createSettingsRepository(db);
    expect(again.get('canvas.view', { x: 0, y: 0, zoom: 1 })).toEqual({ x: 10, y: -4.5, zoom: 2 });
    expect(db.prepare(`SELECT value_json, updated_at FROM settings WHERE key = 'queue.paused'`).get()).toEqual({
      value_json: 'false',
      updated_at: 2_000,
    });
  });

  it('falls back when the stored value has another JSON type than the fallback', () => {
    db.prepare(`INSERT INTO settings (key, value_json, updated_at) VALUES ('queue.paused', '"yes"', 1)`).run();
    expect(settings.get('queue.paused', false)).toBe(false);
    expect(settings.get<unknown>('queue.paused', null)).toBe('yes');
    settings.set('recent.boards', ['a', 'b']);
    expect(settings.get('recent.boards', {})).toEqual({});
    expect(settings.get('recent.boards', [] as string[])).toEqual(['a', 'b']);
  });

  it('refuses values JSON cannot hold and an empty key, storing nothing', () => {
    expect(() => settings.set('broken', undefined)).toThrow(/not a JSON value/);
    expect(() => settings.set('broken', () => 1)).toThrow(/not a JSON value/);
    expect(() => settings.set('', true)).toThrow(/needs a key/);
    expect(db.prepare('SELECT count(*) AS n FROM settings').get()).toEqual({ n: 0 });
  });
});
