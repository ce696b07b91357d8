// The generations methods through the router (inputs and outputs checked against the contract) on a
// real library in a temporary folder; the supervisor is a stand-in that records what it was asked.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { EventName, EventPayload, Generation, Model } from '../../preload/contract';
import { insertModelRow } from '../../test/fixtures/model-row';
import { libraryPaths, openLibrary, type Library } from '../library/library';
import { EventBus } from './event-bus';
import { fakeServices } from './fake-services.test-helper';
import { createGenerationsService } from './generations-service';
import { createRouter, type Router } from './router';

type Recorded = { event: EventName; payload: EventPayload<EventName> };
type Reply = { ok: true; value: Record<string, unknown> } | { ok: false; error: { code: string; message: string } };

let folder: string;
let library: Library;
let model: Model;
let router: Router;
let events: Recorded[];
const supervisor = { kick: vi.fn(), cancel: vi.fn(() => 0), isPaused: vi.fn(() => false) };
const unknownId = '5b1c2a4e-8f7d-4c3b-9a2e-1f0d3c4b5a69';

beforeEach(() => {
  folder = fs.mkdtempSync(path.join(os.tmpdir(), 'generations-service-'));
  library = openLibrary(folder);
  model = insertModelRow(library);
  events = [];
  const bus = new EventBus();
  bus.subscribe((event, payload) => events.push({ event, payload }));
  vi.clearAllMocks();
  router = createRouter(fakeServices(createGenerationsService(library, supervisor, bus, '0.0.0-test')), { logError: () => undefined });
});
afterEach(() => {
  library.close();
  fs.rmSync(folder, { recursive: true, force: true });
});

async function call(method: string, input: unknown): Promise<Reply> {
  return (await router.call(method, input)) as Reply;
}

async function ok<T = Record<string, unknown>>(method: string, input: unknown): Promise<T> {
  const reply = await call(method, input);
  if (!reply.ok) {
    throw new Error(`${method}: ${reply.error.code}: ${reply.error.message}`);
  }
  return reply.value as T;
}

const asset = (text: string): string => library.assets.put(Buffer.from(text), { mime: 'image/png', width: 64, height: 64 }).sha256;

/** Runs a batch to done, as the supervisor would, with one stored image per variation. */
function finish(batchId: string): Generation[] {
  const rows = library.generations.batch(batchId);
  library.generations.markRunning(batchId);
  library.generations.markDone(batchId, { resultSha256: rows.map((row) => asset(`result ${row.id}`)), timings: {} });
  return library.generations.batch(batchId);
}

const emitted = (event: EventName): unknown[] => events.filter((entry) => entry.event === event).map((entry) => entry.payload);

describe('generations:enqueue on a board', () => {
  it('stores the source items and announces the batch', async () => {
    const board = library.boards.create('Cats');
    const cat = asset('cat');
    const source = library.boardItems.add({ boardId: board.id, assetSha256: cat, kind: 'reference', x: 0, y: 0, width: 100, height: 100 });
    const queued = await ok<{ batchId: string; generations: Generation[] }>('generations:enqueue', {
      modelId: model.id,
      boardId: board.id,
      prompt: 'The cat in <image>. As a pixel-art hero',
      references: [cat],
      count: 2,
      sourceItemIds: [source.id],
    });
    expect(queued.generations.map((row) => [row.boardId, row.status, row.rating, row.starred, row.trashedAt])).toEqual([
      [board.id, 'queued', null, false, null],
      [board.id, 'queued', null, false, null],
    ]);
    expect(library.generations.batchOrigin(queued.batchId)).toEqual({ sourceItemIds: [source.id], variationCount: 2 });
    expect(emitted('generation:state')).toEqual([{ batchId: queued.batchId, status: 'queued', error: null, generationIds: queued.generations.map((row) => row.id) }]);
    expect(supervisor.kick).toHaveBeenCalledTimes(1);
  });

  it('refuses source items without a board, or not on the board, and queues nothing', async () => {
    const board = library.boards.create('Cats');
    expect(await call('generations:enqueue', { modelId: model.id, prompt: 'a cat', references: [], sourceItemIds: [unknownId] })).toMatchObject({
      ok: false,
      error: { code: 'validation_failed', message: expect.stringContaining('sourceItemIds need a boardId') },
    });
    expect(
      await call('generations:enqueue', { modelId: model.id, boardId: board.id, prompt: 'a cat', references: [], sourceItemIds: [unknownId] }),
    ).toMatchObject({ ok: false, error: { code: 'not_found', message: `Source item ${unknownId} is not on board ${board.id}` } });
    expect(library.generations.list()).toEqual([]);
    expect(supervisor.kick).not.toHaveBeenCalled();
  });
});

describe('generations:rerun', () => {
  async function finishedBatch(boardId: string | null = null, sourceItemIds: string[] = []): Promise<Generation[]> {
    const cat = asset('cat');
    const queued = await ok<{ batchId: string }>('generations:enqueue', {
      modelId: model.id,
      boardId,
      prompt: 'The cat in <image>. In watercolour',
      references: [cat],
      seed: '18446744073709551615',
      count: 3,
      params: { temperature: 0.7, topK: 40 },
      sourceItemIds,
    });
    return finish(queued.batchId);
  }

  it('queues one variation again exactly: a batch of one at its variation, with the original batch size recorded', async () => {
    const original = (await finishedBatch())[1]!;
    const rerun = await ok<{ batchId: string; generations: Generation[] }>('generations:rerun', { id: original.id });
    expect(rerun.batchId).not.toBe(original.batchId);
    expect(rerun.generations).toHaveLength(1);
    const copy = rerun.generations[0]!;
    expect(copy).toMatchObject({
      variation: 1,
      status: 'queued',
      modelId: original.modelId,
      boardId: null,
      prompt: original.prompt,
      references: original.references,
      seed: original.seed,
      params: original.params,
      resultSha256: null,
    });
    expect(library.generations.batchOrigin(rerun.batchId).variationCount).toBe(3);
    expect(emitted('generation:state').at(-1)).toMatchObject({ batchId: rerun.batchId, status: 'queued' });
    expect(supervisor.kick).toHaveBeenCalled();
  });

  it('goes onto the original board next to its sources by default, onto another board when asked, or onto none', async () => {
    const board = library.boards.create('Cats');
    const other = library.boards.create('Dogs');
    const source = library.boardItems.add({ boardId: board.id, assetSha256: asset('cat'), kind: 'reference', x: 0, y: 0, width: 100, height: 100 });
    const original = (await finishedBatch(board.id, [source.id]))[0]!;

    const same = await ok<{ batchId: string; generations: Generation[] }>('generations:rerun', { id: original.id });
    expect(same.generations[0]!.boardId).toBe(board.id);
    expect(library.generations.batchOrigin(same.batchId).sourceItemIds).toEqual([source.id]);

    const moved = await ok<{ batchId: string; generations: Generation[] }>('generations:rerun', { id: original.id, boardId: other.id });
    expect(moved.generations[0]!.boardId).toBe(other.id);
    expect(library.generations.batchOrigin(moved.batchId).sourceItemIds).toEqual([]);

    const loose = await ok<{ generations: Generation[] }>('generations:rerun', { id: original.id, boardId: null });
    expect(loose.generations[0]!.boardId).toBeNull();

    expect(await call('generations:rerun', { id: original.id, boardId: other.id, sourceItemIds: [source.id] })).toMatchObject({
      ok: false,
      error: { code: 'not_found', message: `Source item ${source.id} is not on board ${other.id}` },
    });
  });

  it('refuses an unknown generation, and one whose model was removed, naming why', async () => {
    expect(await call('generations:rerun', { id: unknownId })).toMatchObject({ ok: false, error: { code: 'not_found' } });
    const original = (await finishedBatch())[0]!;
    const db = new BetterSqlite3(libraryPaths(folder).database);
    db.prepare('UPDATE generations SET model_id = NULL WHERE id = ?').run(original.id);
    db.close();
    expect(await call('generations:rerun', { id: original.id })).toMatchObject({
      ok: false,
      error: { code: 'not_found', message: expect.stringContaining('was removed from the library') },
    });
  });
});

describe('generations:resume and generations:move', () => {
  it('puts a failed batch back at the end of the queue and refuses one that is done', async () => {
    const queued = await ok<{ batchId: string }>('generations:enqueue', { modelId: model.id, prompt: 'a cat', references: [] });
    library.generations.markFailed(queued.batchId, 'the engine process died');
    const resumed = await ok<{ generations: Generation[] }>('generations:resume', { batchId: queued.batchId });
    expect(resumed.generations.map((row) => [row.status, row.error])).toEqual([['queued', null]]);
    expect(emitted('generation:state').at(-1)).toMatchObject({ batchId: queued.batchId, status: 'queued' });

    finish(queued.batchId);
    expect(await call('generations:resume', { batchId: queued.batchId })).toMatchObject({
      ok: false,
      error: { code: 'conflict', message: 'Only an interrupted, failed or cancelled batch can be resumed; this one is done' },
    });
    expect(await call('generations:resume', { batchId: unknownId })).toMatchObject({ ok: false, error: { code: 'not_found' } });
  });

  it('reorders the queue and announces it with the paused state', async () => {
    const ids: string[] = [];
    for (const prompt of ['first', 'second', 'third']) {
      ids.push((await ok<{ batchId: string }>('generations:enqueue', { modelId: model.id, prompt, references: [] })).batchId);
    }
    supervisor.isPaused.mockReturnValue(true);
    expect(await ok('generations:move', { batchId: ids[2], index: 0 })).toEqual({ batchIds: [ids[2], ids[0], ids[1]] });
    expect(emitted('queue:changed')).toEqual([{ paused: true }]);
    expect(library.generations.nextQueuedBatch()![0]!.prompt).toBe('third');
  });
});

describe('gallery: search, rate, trash, restore', () => {
  it('changes what search returns, and tells every window', async () => {
    const queued = await ok<{ batchId: string }>('generations:enqueue', { modelId: model.id, prompt: 'a lighthouse at dawn', references: [], count: 2 });
    const [first, second] = finish(queued.batchId);
    const search = async (input: Record<string, unknown> = {}): Promise<string[]> =>
      (await ok<{ generations: Generation[] }>('generations:search', input)).generations.map((row) => row.id);

    expect(await search({ text: 'light' })).toEqual([second!.id, first!.id]);
    const rated = await ok<{ generations: Generation[] }>('generations:rate', { ids: [first!.id], rating: 5, starred: true });
    expect(rated.generations[0]).toMatchObject({ id: first!.id, rating: 5, starred: true });
    expect(await search({ minRating: 5 })).toEqual([first!.id]);
    expect(await search({ starred: true })).toEqual([first!.id]);

    expect(await ok('generations:trash', { ids: [first!.id] })).toEqual({ ids: [first!.id] });
    expect(await search()).toEqual([second!.id]);
    expect(await search({ trashed: true })).toEqual([first!.id]);
    expect(await ok('generations:restore', { ids: [first!.id] })).toEqual({ ids: [first!.id] });
    expect(await search()).toEqual([second!.id, first!.id]);

    expect(emitted('generations:changed')).toEqual([
      { ids: [first!.id], change: 'rated' },
      { ids: [first!.id], change: 'trashed' },
      { ids: [first!.id], change: 'restored' },
    ]);
  });

  it('refuses to trash a queued generation and an unknown id, announcing nothing', async () => {
    const queued = await ok<{ generations: Generation[] }>('generations:enqueue', { modelId: model.id, prompt: 'a cat', references: [] });
    expect(await call('generations:trash', { ids: [queued.generations[0]!.id] })).toMatchObject({ ok: false, error: { code: 'conflict' } });
    expect(await call('generations:rate', { ids: [unknownId], rating: 3 })).toMatchObject({ ok: false, error: { code: 'not_found' } });
    expect(emitted('generations:changed')).toEqual([]);
  });
});
