import type { Database } from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { migratedMemoryDatabase } from './migrations/memory-database.test-helper';
import type { PresetParams } from '../../preload/contract';
import { createPresetsRepository, type PresetsRepository } from './presets-repository';

let db: Database;
let clock: number;
let presets: PresetsRepository;
beforeEach(() => {
  db = migratedMemoryDatabase();
  clock = 1_000;
  presets = createPresetsRepository(db, { now: () => clock });
});
afterEach(() => db.close());

const params: PresetParams = {
  seedMode: 'fixed',
  seed: '18446744073709551615',
  count: 4,
  sampling: { cfgScale: 7.5, temperature: 0.9, topK: 0, topP: 1 },
};

describe('PresetsRepository', () => {
  it('saves a preset under its trimmed name and lists it with its parameters intact', () => {
    expect(presets.save('  Pixel art ', params)).toEqual({ name: 'Pixel art', params, updatedAt: 1_000 });
    expect(presets.list()).toEqual([{ name: 'Pixel art', params, updatedAt: 1_000 }]);
  });

  it('overwrites a preset saved again under the same name', () => {
    presets.save('Fast', params);
    clock = 2_000;
    const faster = { ...params, seedMode: 'random' as const, seed: null, count: 1 };
    presets.save('Fast', faster);
    expect(presets.list()).toEqual([{ name: 'Fast', params: faster, updatedAt: 2_000 }]);
  });

  it('lists by name, ignoring case', () => {
    for (const name of ['zebra', 'Apple', 'mango']) {
      presets.save(name, params);
    }
    expect(presets.list().map((preset) => preset.name)).toEqual(['Apple', 'mango', 'zebra']);
  });

  it('deletes by name and says not_found for a name it does not have', () => {
    presets.save('Fast', params);
    presets.remove(' Fast ');
    expect(presets.list()).toEqual([]);
    expect(() => presets.remove('Fast')).toThrow(expect.objectContaining({ code: 'not_found', message: 'No preset named "Fast"' }));
  });

  it('refuses an empty name and parameters outside the contract, storing nothing', () => {
    expect(() => presets.save('   ', params)).toThrow(expect.objectContaining({ code: 'validation_failed' }));
    expect(() => presets.save('Many', { ...params, count: 9 })).toThrow(expect.objectContaining({ code: 'validation_failed', message: expect.stringContaining('params.count') }));
    expect(db.prepare('SELECT count(*) AS n FROM presets').get()).toEqual({ n: 0 });
  });

  it('leaves out a stored preset this version cannot read, keeping the others', () => {
    presets.save('Good', params);
    db.prepare(`INSERT INTO presets (name, params_json, updated_at) VALUES ('Old', '{"steps":30}', 1)`).run();
    expect(presets.list().map((preset) => preset.name)).toEqual(['Good']);
  });
});
