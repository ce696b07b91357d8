// The supervisor's queue rules with a scripted worker (no onnxruntime): pause and resume, the first
// variation of a re-run, and finished batches placed on their board. The real worker process is covered
// by test/node/engine-supervisor.test.ts and test/node/queue-controls-serve.test.ts.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { EventName, EventPayload, Model } from '../../../preload/contract';
import { openLibrary, type Library } from '../../library/library';
import { EventBus } from '../../services/event-bus';
import { insertModelRow } from '../../../test/fixtures/model-row';
import type { RunMessage, ToWorker } from '../worker/messages';
import { createEngineSupervisor, type EngineSupervisor } from './engine-supervisor';
import type { WorkerLauncher, WorkerProcess } from './worker-process';

type Recorded = { event: EventName; payload: EventPayload<EventName> };

/** A worker that says ready at once and answers each job only when the test calls `complete`. */
function scriptedWorker(): { launch: WorkerLauncher; runs: RunMessage[]; complete(index: number): void } {
  const runs: RunMessage[] = [];
  let reply: (message: unknown) => void = () => undefined;
  const launch: WorkerLauncher = () => {
    const exitListeners: ((exit: { code: number | null; signal: string | null }) => void)[] = [];
    const proc: WorkerProcess = {
      pid: 4242,
      send(message: ToWorker) {
        if (message.type === 'run') {
          runs.push(message);
        } else if (message.type === 'shutdown') {
          setImmediate(() => exitListeners.forEach((listener) => listener({ code: 0, signal: null })));
        }
      },
      onMessage(listener) {
        reply = listener;
        setImmediate(() => listener({ type: 'ready', pid: 4242 }));
      },
      onExit: (listener) => exitListeners.push(listener),
      kill: () => undefined,
    };
    return proc;
  };
  return {
    launch,
    runs,
    complete(index) {
      const run = runs[index]!;
      const images = Array.from({ length: run.request.count }, (_, b) => ({
        width: 32,
        height: 16,
        pngBase64: Buffer.from(`image ${run.jobId} ${b}`).toString('base64'),
      }));
      reply({ type: 'done', jobId: run.jobId, images, timings: { total: 1 }, boundaryBytes: 0 });
    },
  };
}

let folder: string;
let library: Library;
let model: Model;
let events: Recorded[];
let bus: EventBus;
let errors: unknown[];
const supervisors: EngineSupervisor[] = [];

beforeEach(() => {
  folder = fs.mkdtempSync(path.join(os.tmpdir(), 'supervisor-'));
  library = openLibrary(folder);
  model = insertModelRow(library);
  events = [];
  errors = [];
  bus = new EventBus();
  bus.subscribe((event, payload) => events.push({ event, payload }));
});

afterEach(async () => {
  await Promise.all(supervisors.splice(0).map((supervisor) => supervisor.close()));
  library.close();
  fs.rmSync(folder, { recursive: true, force: true });
});

function start(worker: ReturnType<typeof scriptedWorker>): EngineSupervisor {
  const supervisor = createEngineSupervisor({
    library,
    events: bus,
    launchWorker: worker.launch,
    engineVersion: '0.0.0-test',
    logError: (_message, error) => errors.push(error),
  });
  supervisors.push(supervisor);
  supervisor.start();
  return supervisor;
}

/** Queues a batch and tells the newest supervisor, as generations:enqueue does. */
function enqueue(extra: Partial<Parameters<Library['generations']['enqueue']>[0]> = {}): string {
  const { batchId } = library.generations.enqueue({
    modelId: model.id,
    prompt: 'a small red cat',
    references: [],
    seed: '42',
    count: 1,
    params: model.sampling,
    bundleSha256: model.bundleSha256,
    engineVersion: '0.0.0-test',
    ...extra,
  });
  supervisors.at(-1)?.kick();
  return batchId;
}

const statusOf = (batchId: string): string => library.generations.batch(batchId)[0]!.status;

async function until(check: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 400; i++) {
    if (check()) {
      return;
    }
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** Long enough for the queue to start another batch if it were going to. */
const settle = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 100));

describe('engine supervisor: pause and resume', () => {
  it('lets the running batch finish and starts nothing new while paused; resuming runs the rest', async () => {
    const worker = scriptedWorker();
    const supervisor = start(worker);
    const first = enqueue();
    const second = enqueue({ seed: '43' });
    await until(() => worker.runs.length === 1, 'the first job');

    supervisor.setPaused(true);
    expect(supervisor.isPaused()).toBe(true);
    worker.complete(0);
    await until(() => statusOf(first) === 'done', 'the running batch to finish');
    await settle();
    expect(worker.runs).toHaveLength(1);
    expect(statusOf(second)).toBe('queued');
    supervisor.kick(); // new work while paused does not start either
    await settle();
    expect(worker.runs).toHaveLength(1);

    supervisor.setPaused(false);
    await until(() => worker.runs.length === 2, 'the second job after resume');
    worker.complete(1);
    await until(() => statusOf(second) === 'done', 'the second batch');
  });

  it('stays paused across a restart: a new supervisor on the same library does not start queued work', async () => {
    const worker = scriptedWorker();
    start(worker).setPaused(true);
    const waiting = enqueue();
    await supervisors.pop()!.close();

    const restarted = start(worker);
    expect(restarted.isPaused()).toBe(true);
    await settle();
    expect(worker.runs).toHaveLength(0);
    restarted.setPaused(false);
    await until(() => worker.runs.length === 1, 'the job after resume');
    worker.complete(0);
    await until(() => statusOf(waiting) === 'done', 'the batch');
  });
});

describe('engine supervisor: variations', () => {
  it('asks for a re-run from its own variation and records the original batch size in the PNG text', async () => {
    const worker = scriptedWorker();
    start(worker);
    const batch = enqueue({ count: 3 });
    const rerun = enqueue({ count: 1, firstVariation: 2, variationCount: 3 });
    await until(() => worker.runs.length === 1, 'the batch');
    expect(worker.runs[0]!.request).toMatchObject({ count: 3, metadata: { count: 3 } });
    expect(worker.runs[0]!.request.firstVariation).toBeUndefined();
    worker.complete(0);
    await until(() => worker.runs.length === 2, 'the re-run');
    expect(worker.runs[1]!.request).toMatchObject({ count: 1, firstVariation: 2, metadata: { count: 3 } });
    worker.complete(1);
    await until(() => statusOf(rerun) === 'done', 'the re-run');
    expect(library.generations.batch(rerun)[0]).toMatchObject({ variation: 2, resultSha256: expect.any(String) });
    expect(statusOf(batch)).toBe('done');
  });
});

describe('engine supervisor: results on the board', () => {
  it('places a finished batch next to its source items, in variation order, and announces the new items', async () => {
    const worker = scriptedWorker();
    start(worker);
    const board = library.boards.create('Cats');
    const asset = library.assets.put(Buffer.from('reference'), { mime: 'image/png', width: 64, height: 64 }).sha256;
    const source = library.boardItems.add({ boardId: board.id, assetSha256: asset, kind: 'reference', x: 0, y: 0, width: 200, height: 200 });
    const batchId = enqueue({ count: 2, boardId: board.id, sourceItemIds: [source.id] });
    await until(() => worker.runs.length === 1, 'the job');
    worker.complete(0);
    await until(() => statusOf(batchId) === 'done', 'the batch');

    const rows = library.generations.batch(batchId);
    const placed = library.boardItems.list(board.id).filter((item) => item.kind === 'generation');
    expect(placed.map((item) => [item.generationId, item.assetSha256])).toEqual(rows.map((row) => [row.id, row.resultSha256]));
    expect(placed.every((item) => item.sourceItemIds.includes(source.id) && item.x > source.x + source.width)).toBe(true);
    expect(placed[0]!.width / placed[0]!.height).toBe(2); // the image's 32×16 aspect
    expect(placed[1]!.y).toBeGreaterThan(placed[0]!.y);
    const announced = events.filter((entry) => entry.event === 'items:changed');
    expect(announced.map((entry) => entry.payload)).toEqual([{ boardId: board.id, itemIds: placed.map((item) => item.id), change: 'added' }]);
    expect(errors).toEqual([]);
  });

  it('keeps a batch done when its board was deleted while it ran, placing nothing', async () => {
    const worker = scriptedWorker();
    start(worker);
    const board = library.boards.create('Gone soon');
    const batchId = enqueue({ boardId: board.id });
    await until(() => worker.runs.length === 1, 'the job');
    library.boards.remove(board.id);
    worker.complete(0);
    await until(() => statusOf(batchId) !== 'running', 'the batch');
    expect(library.generations.batch(batchId)[0]).toMatchObject({ status: 'done', error: null, resultSha256: expect.any(String) });
    expect(events.some((entry) => entry.event === 'items:changed')).toBe(false);
    expect(errors).toEqual([]);
  });
});
