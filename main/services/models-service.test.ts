import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EventName, Model } from '../../preload/contract';
import { tinyBundle } from '../../test/fixtures/tiny-bundle';
import { openLibrary, type Library } from '../library/library';
import type { ModelsRepository } from '../library/models-repository';
import { EventBus } from './event-bus';
import { fakeServices } from './fake-services.test-helper';
import { createModelsService } from './models-service';
import { createRouter } from './router';

let dataFolder: string;
let library: Library;
let bundle: string;

beforeAll(async () => {
  bundle = await tinyBundle();
  dataFolder = fs.mkdtempSync(path.join(os.tmpdir(), 'models-service-'));
  library = openLibrary(dataFolder);
}, 300_000);
afterAll(() => {
  library?.close();
  fs.rmSync(dataFolder, { recursive: true, force: true });
});

function recorder(): { bus: EventBus; seen: { event: EventName; payload: Record<string, unknown> }[] } {
  const bus = new EventBus();
  const seen: { event: EventName; payload: Record<string, unknown> }[] = [];
  bus.subscribe((event, payload) => seen.push({ event, payload: payload as Record<string, unknown> }));
  return { bus, seen };
}

describe('models service', () => {
  let model: Model;

  it('imports a bundle with progress events up to its size, then models:changed', async () => {
    const { bus, seen } = recorder();
    const router = createRouter(fakeServices(createModelsService(library.models, bus, { progressIntervalMs: 0 })));
    const result = await router.call('models:import', { path: bundle });
    expect(result).toMatchObject({ ok: true });
    model = (result as { value: Model }).value;
    expect(model.source).toBe('random init (seed 0)');

    const progress = seen.filter((entry) => entry.event === 'models:import-progress').map((entry) => entry.payload);
    expect(progress.length).toBeGreaterThan(2);
    expect(progress.every((entry) => entry.path === bundle && entry.totalBytes === model.sizeBytes)).toBe(true);
    expect(progress.at(-1)).toMatchObject({ doneBytes: model.sizeBytes });
    expect(new Set(progress.map((entry) => entry.file))).toContain('decode.onnx');
    expect(seen.at(-1)).toEqual({ event: 'models:changed', payload: { modelId: model.id, change: 'imported' } });
  });

  it('removes a model, says so, and says not_found the second time', async () => {
    const { bus, seen } = recorder();
    const router = createRouter(fakeServices(createModelsService(library.models, bus)));
    expect(await router.call('models:remove', { id: model.id })).toEqual({ ok: true, value: { id: model.id } });
    expect(await router.call('models:list', {})).toEqual({ ok: true, value: { models: [] } });
    expect(seen).toEqual([{ event: 'models:changed', payload: { modelId: model.id, change: 'removed' } }]);
    expect(await router.call('models:remove', { id: model.id })).toMatchObject({ ok: false, error: { code: 'not_found' } });
    expect(seen).toHaveLength(1);
  });

  it('sends progress at most once per interval, but always the first and the last', async () => {
    const { bus, seen } = recorder();
    let clock = 0;
    const steps = [0, 10, 20, 30, 40, 50, 60, 70, 80, 90, 100];
    const fakeModels: ModelsRepository = {
      ...library.models,
      import: async (dir, onProgress) => {
        for (const doneBytes of steps) {
          clock += 30; // a chunk every 30 ms
          onProgress?.({ file: 'decode.onnx', doneBytes, totalBytes: 100 });
        }
        onProgress?.({ file: 'decode.onnx', doneBytes: 100, totalBytes: 100 });
        return { ...model, path: dir };
      },
    };
    await createModelsService(fakeModels, bus, { progressIntervalMs: 100, now: () => clock })['models:import']({ path: '/bundles/x' });
    const done = seen.filter((entry) => entry.event === 'models:import-progress').map((entry) => entry.payload.doneBytes);
    expect(done).toEqual([0, 40, 80, 100]);
  });
});
