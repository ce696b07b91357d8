// The queue controls and the gallery against the real `serve` process, the real engine worker and the
// tiny bundle: cancel the running batch, pause (nothing new starts, and it stays paused across a
// restart), reorder, resume; results land on their board; a re-run gives the same PNG byte for byte;
// rating, trash and restore change what search returns.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BoardItem, Generation, Model } from '../../preload/contract';
import { parseGenerationMetadata } from '../../main/engine/png/generation-metadata';
import { readPngText } from '../../main/engine/png/png-encoder';
import { referencePng } from '../fixtures/engine-harness';
import { eventSocket, rpcReply, type RecordedEvent, type Reply } from '../fixtures/serve-clients';
import { startServe, type ServeProcess } from '../fixtures/serve-process';
import { tinyBundle } from '../fixtures/tiny-bundle';

type Queued = { batchId: string; generations: Generation[] };

/** Slows each image row of the tiny model (8 rows) so a batch can be caught running. */
const env = { MENTOR_ENGINE_TEST_DECODE_DELAY_MS: '200' };

let serve: ServeProcess;
let socket: { close(): void } | undefined;
let events: RecordedEvent[] = [];

async function connect(target: ServeProcess): Promise<void> {
  socket?.close();
  const next = await eventSocket(target);
  events = next.events;
  socket = next;
}

beforeAll(async () => {
  await tinyBundle();
  serve = await startServe({ env });
  await connect(serve);
}, 300_000);

afterAll(async () => {
  socket?.close();
  await serve?.stop();
});

function rpc<T>(method: string, input: unknown): Promise<Reply<T>> {
  return rpcReply<T>(serve, method, input);
}

async function ok<T>(method: string, input: unknown = {}): Promise<T> {
  const reply = await rpc<T>(method, input);
  if (!reply.ok) {
    throw new Error(`${method} failed: ${reply.error.code}: ${reply.error.message}\nserve stderr:\n${serve.stderr()}`);
  }
  return reply.value;
}

const get = (id: string): Promise<Generation> => ok<Generation>('generations:get', { id });
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

async function waitFor(id: string, statuses: Generation['status'][], timeoutMs = 60_000): Promise<Generation> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const row = await get(id);
    if (statuses.includes(row.status)) {
      return row;
    }
    if (Date.now() > deadline) {
      throw new Error(`generation ${id} is ${row.status} (${row.error ?? 'no error'}), not ${statuses.join('/')}; serve stderr:\n${serve.stderr()}`);
    }
    await sleep(25);
  }
}

describe('queue controls and gallery through serve', () => {
  let model: Model;
  let boardId: string;
  let source: BoardItem;
  let reference: string;
  const batches: Record<'a' | 'b' | 'c', Queued> = {} as Record<'a' | 'b' | 'c', Queued>;

  it('cancels the running batch, pauses (nothing new starts, even across a restart), reorders and resumes', async () => {
    model = await ok<Model>('models:import', { path: await tinyBundle() });
    boardId = (await ok<{ id: string }>('boards:create', { name: 'Cats' })).id;
    reference = (await ok<{ sha256: string }>('assets:import', { name: 'cat.png', dataBase64: (await referencePng()).toString('base64') })).sha256;
    source = await ok<BoardItem>('items:add', { boardId, assetSha256: reference, x: 0, y: 0, width: 200, height: 200 });

    const enqueue = (input: Record<string, unknown>): Promise<Queued> =>
      ok<Queued>('generations:enqueue', { modelId: model.id, prompt: 'a small red cat', references: [], ...input });
    batches.a = await enqueue({ seed: '1' });
    batches.b = await enqueue({
      prompt: 'The cat in <image>. A cat as a pixel-art hero',
      references: [reference],
      seed: '2',
      count: 2,
      boardId,
      sourceItemIds: [source.id],
    });
    batches.c = await enqueue({ seed: '3' });
    const [a, b, c] = [batches.a, batches.b, batches.c];
    await waitFor(a.generations[0]!.id, ['running']);

    expect(await ok('queue:pause')).toEqual({ paused: true });
    expect(await ok('generations:cancel', { batchId: a.batchId })).toEqual({ cancelled: 1 });
    await waitFor(a.generations[0]!.id, ['cancelled']);
    await sleep(1_500); // a whole tiny batch's worth of time: had anything started, it would show
    expect((await get(b.generations[0]!.id)).status).toBe('queued');
    expect((await get(c.generations[0]!.id)).status).toBe('queued');
    const paused = await ok<{ paused: boolean; generations: Generation[] }>('queue:get');
    expect(paused.paused).toBe(true);
    expect(paused.generations.map((row) => `${row.batchId}:${row.status}`)).toEqual([`${b.batchId}:queued`, `${b.batchId}:queued`, `${c.batchId}:queued`]);

    expect(await ok('generations:move', { batchId: c.batchId, index: 0 })).toEqual({ batchIds: [c.batchId, b.batchId] });
    expect(events.filter((entry) => entry.event === 'queue:changed').map((entry) => entry.payload)).toEqual([{ paused: true }, { paused: true }]);

    // A restart keeps the pause and the order.
    await serve.stop();
    serve = await startServe({ home: serve.home, env });
    await connect(serve);
    const restarted = await ok<{ paused: boolean; generations: Generation[] }>('queue:get');
    expect(restarted.paused).toBe(true);
    expect([...new Set(restarted.generations.map((row) => row.batchId))]).toEqual([c.batchId, b.batchId]);
    await sleep(500);
    expect((await get(c.generations[0]!.id)).status).toBe('queued');

    expect(await ok('queue:resume')).toEqual({ paused: false });
    const doneB = await Promise.all(b.generations.map((row) => waitFor(row.id, ['done', 'failed'])));
    const doneC = await waitFor(c.generations[0]!.id, ['done', 'failed']);
    expect([doneC, ...doneB].map((row) => [row.status, row.error])).toEqual([
      ['done', null],
      ['done', null],
      ['done', null],
    ]);
    expect(doneC.startedAt!).toBeLessThan(doneB[0]!.startedAt!); // the moved batch ran first
    expect((await get(a.generations[0]!.id)).status).toBe('cancelled');
  }, 120_000);

  it('places a finished board batch next to its source item and announces it', async () => {
    const rows = await Promise.all(batches.b.generations.map((row) => get(row.id)));
    const { items } = await ok<{ items: BoardItem[] }>('items:list', { boardId });
    const placed = items.filter((item) => item.kind === 'generation');
    expect(placed.map((item) => [item.generationId, item.assetSha256])).toEqual(rows.map((row) => [row.id, row.resultSha256]));
    expect(placed.every((item) => item.sourceItemIds.includes(source.id) && item.x >= source.x + source.width)).toBe(true);
    const announced = events.filter((entry) => entry.event === 'items:changed' && entry.payload.boardId === boardId);
    expect(announced.map((entry) => entry.payload)).toEqual([{ boardId, itemIds: placed.map((item) => item.id), change: 'added' }]);
  });

  it('resumes the cancelled batch, and re-runs a variation alone into a byte-identical PNG', async () => {
    const resumed = await ok<{ generations: Generation[] }>('generations:resume', { batchId: batches.a.batchId });
    expect(resumed.generations.map((row) => row.status)).toEqual(['queued']);
    expect((await waitFor(batches.a.generations[0]!.id, ['done', 'failed'])).status).toBe('done');

    const original = await get(batches.b.generations[1]!.id); // variation 1 of a batch of 2
    const rerun = await ok<Queued>('generations:rerun', { id: original.id, boardId: null });
    expect(rerun.generations.map((row) => [row.variation, row.seed, row.boardId])).toEqual([[1, original.seed, null]]);
    const again = await waitFor(rerun.generations[0]!.id, ['done', 'failed']);
    expect(again.error).toBeNull();
    expect(again.resultSha256).toBe(original.resultSha256);
    const file = path.join(serve.home, 'assets', again.resultSha256!.slice(0, 2), `${again.resultSha256}.png`);
    // The PNG says which variation of which batch it is: the original's, not "variation 1 of a batch of 1".
    expect(parseGenerationMetadata(readPngText(fs.readFileSync(file)))).toMatchObject({ seed: '2', variation: 1, count: 2, references: [reference] });
  }, 60_000);

  it('rates, trashes and restores, and search follows', async () => {
    type Page = { total: number; generations: Generation[] };
    const search = (input: Record<string, unknown> = {}): Promise<Page> => ok<Page>('generations:search', input);
    const everything = await search();
    expect(everything.total).toBe(5); // a, b ×2, c, the re-run
    const target = batches.b.generations[0]!.id;

    await ok('generations:rate', { ids: [target], rating: 5, starred: true });
    expect((await search({ minRating: 5 })).generations.map((row) => row.id)).toEqual([target]);
    expect((await search({ starred: true, text: 'pixel hero' })).generations.map((row) => row.id)).toEqual([target]);
    expect((await search({ referenceSha256: reference })).total).toBe(3); // b ×2 and the re-run of b

    await ok('generations:trash', { ids: [target] });
    expect((await search()).generations.map((row) => row.id)).not.toContain(target);
    expect((await search({ trashed: true })).generations.map((row) => row.id)).toEqual([target]);
    expect((await rpc('generations:get', { id: target })).ok).toBe(false);

    await ok('generations:restore', { ids: [target] });
    expect((await search()).total).toBe(5);
    expect((await search({ trashed: true })).total).toBe(0);
    expect(events.filter((entry) => entry.event === 'generations:changed').map((entry) => entry.payload.change)).toEqual(['rated', 'trashed', 'restored']);
  });
});
