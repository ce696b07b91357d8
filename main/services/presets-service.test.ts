import type { Database } from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { migratedMemoryDatabase } from '../library/migrations/memory-database.test-helper';
import { createPresetsRepository } from '../library/presets-repository';
import { fakeServices } from './fake-services.test-helper';
import { createPresetsService } from './presets-service';
import { createRouter, type Router } from './router';

let db: Database;
let router: Router;
beforeEach(() => {
  db = migratedMemoryDatabase();
  router = createRouter(fakeServices(createPresetsService(createPresetsRepository(db, { now: () => 5 }))), { logError: () => undefined });
});
afterEach(() => db.close());

const params = { seedMode: 'increment', seed: '42', count: 2, sampling: { cfgScale: 5, temperature: 1, topK: 100, topP: 0.95 } };

describe('presets service', () => {
  it('saves, lists and deletes presets by name', async () => {
    expect(await router.call('presets:save', { name: ' Portraits ', params })).toEqual({ ok: true, value: { name: 'Portraits', params, updatedAt: 5 } });
    expect(await router.call('presets:list', {})).toEqual({ ok: true, value: { presets: [{ name: 'Portraits', params, updatedAt: 5 }] } });
    expect(await router.call('presets:delete', { name: 'Portraits' })).toEqual({ ok: true, value: { name: 'Portraits' } });
    expect(await router.call('presets:list', {})).toEqual({ ok: true, value: { presets: [] } });
  });

  it('says not_found for a name it does not have, and names the bad field of a preset', async () => {
    expect(await router.call('presets:delete', { name: 'Nope' })).toMatchObject({ ok: false, error: { code: 'not_found', message: 'No preset named "Nope"' } });
    expect(await router.call('presets:save', { name: '  ', params })).toMatchObject({ ok: false, error: { code: 'validation_failed', message: expect.stringContaining('A preset needs a name') } });
    expect(await router.call('presets:save', { name: 'x', params: { ...params, seed: '-1' } })).toMatchObject({
      ok: false,
      error: { code: 'validation_failed', message: expect.stringContaining('params.seed') },
    });
  });
});
