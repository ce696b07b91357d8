// queue:get / pause / resume through the router on a real library, with the real supervisor's pause
// state (kept in the library's settings) and a worker launcher that must never be called.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Generation, Model } from '../../preload/contract';
import { createEngineSupervisor, type EngineSupervisor } from '../engine/supervisor/engine-supervisor';
import { insertModelRow } from '../../test/fixtures/model-row';
import { openLibrary, type Library } from '../library/library';
import { EventBus } from './event-bus';
import { fakeServices } from './fake-services.test-helper';
import { createQueueService } from './queue-service';
import { createRouter, type Router } from './router';

let folder: string;
let library: Library;
let model: Model;
let supervisor: EngineSupervisor;
let router: Router;
let queueEvents: unknown[];

function open(): void {
  library = openLibrary(folder);
  const bus = new EventBus();
  bus.subscribe((event, payload) => {
    if (event === 'queue:changed') {
      queueEvents.push(payload);
    }
  });
  supervisor = createEngineSupervisor({
    library,
    events: bus,
    launchWorker: () => {
      throw new Error('no job may start in these tests');
    },
  });
  router = createRouter(fakeServices(createQueueService(library, supervisor, bus)), { logError: () => undefined });
}

beforeEach(() => {
  folder = fs.mkdtempSync(path.join(os.tmpdir(), 'queue-service-'));
  queueEvents = [];
  open();
  model = insertModelRow(library);
});
afterEach(async () => {
  await supervisor.close();
  library.close();
  fs.rmSync(folder, { recursive: true, force: true });
});

async function ok<T>(method: string): Promise<T> {
  const reply = await router.call(method, {});
  if (!reply.ok) {
    throw new Error(`${method}: ${reply.error.message}`);
  }
  return reply.value as T;
}

function enqueue(prompt: string, count = 1): string {
  return library.generations.enqueue({
    modelId: model.id,
    prompt,
    references: [],
    seed: '1',
    count,
    params: model.sampling,
    bundleSha256: model.bundleSha256,
    engineVersion: '0.0.0-test',
  }).batchId;
}

describe('queue service', () => {
  it('pauses and resumes, announcing each change once, and the pause survives a restart', async () => {
    expect(await ok('queue:get')).toEqual({ paused: false, generations: [] });
    expect(await ok('queue:pause')).toEqual({ paused: true });
    expect(await ok('queue:pause')).toEqual({ paused: true }); // already paused: nothing to announce
    expect(queueEvents).toEqual([{ paused: true }]);

    await supervisor.close();
    library.close();
    open();
    expect(await ok<{ paused: boolean }>('queue:get')).toMatchObject({ paused: true });
    expect(await ok('queue:resume')).toEqual({ paused: false });
    expect(queueEvents).toEqual([{ paused: true }, { paused: false }]);
    expect(await ok<{ paused: boolean }>('queue:get')).toMatchObject({ paused: false });
  });

  it('lists running, then queued in run order, then interrupted batches, as contract rows', async () => {
    await ok('queue:pause'); // so the supervisor leaves the queue alone
    const interrupted = enqueue('stopped by a crash', 2);
    library.generations.markRunning(interrupted);
    library.generations.markInterrupted();
    const running = enqueue('running now');
    library.generations.markRunning(running);
    const later = enqueue('queued first');
    const sooner = enqueue('moved ahead');
    library.generations.move(sooner, 0);

    const { generations } = await ok<{ generations: Generation[] }>('queue:get');
    expect(generations.map((row) => [row.prompt, row.status])).toEqual([
      ['running now', 'running'],
      ['moved ahead', 'queued'],
      ['queued first', 'queued'],
      ['stopped by a crash', 'interrupted'],
      ['stopped by a crash', 'interrupted'],
    ]);
    expect(generations.map((row) => row.batchId)).toEqual([running, sooner, later, interrupted, interrupted]);
  });
});
