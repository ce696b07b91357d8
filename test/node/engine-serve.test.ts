// The engine wired into the real `serve` process: import a model and references over HTTP rpc, queue a
// batch, follow it over the event socket, and find the PNGs in the library with their parameters.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Generation, Model } from '../../preload/contract';
import { parseGenerationMetadata } from '../../main/engine/png/generation-metadata';
import { readPngText } from '../../main/engine/png/png-encoder';
import { hugeHeaderPng, referencePng } from '../fixtures/engine-harness';
import { eventSocket, rpcReply, type RecordedEvent, type Reply } from '../fixtures/serve-clients';
import { startServe, type ServeProcess } from '../fixtures/serve-process';
import { copyTinyBundle, tinyBundle } from '../fixtures/tiny-bundle';

let serve: ServeProcess;
let socket: { close(): void } | undefined;
let events: RecordedEvent[] = [];

beforeAll(async () => {
  await tinyBundle();
  serve = await startServe();
  const recorder = await eventSocket(serve);
  socket = recorder;
  events = recorder.events;
}, 300_000);

afterAll(async () => {
  socket?.close();
  await serve?.stop();
});

function rpc<T>(method: string, input: unknown): Promise<Reply<T>> {
  return rpcReply<T>(serve, method, input);
}

async function ok<T>(method: string, input: unknown): Promise<T> {
  const reply = await rpc<T>(method, input);
  if (!reply.ok) {
    throw new Error(`${method} failed: ${reply.error.code}: ${reply.error.message}`);
  }
  return reply.value;
}

async function waitUntilSettled(id: string): Promise<Generation> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const generation = await ok<Generation>('generations:get', { id });
    if (!['queued', 'running'].includes(generation.status)) {
      return generation;
    }
    if (Date.now() > deadline) {
      throw new Error(`generation ${id} still ${generation.status}; serve stderr:\n${serve.stderr()}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('the engine through serve', () => {
  let model: Model;
  let reference: string;

  it('imports the tiny bundle as a model (twice: one row) and refuses a damaged one', async () => {
    model = await ok<Model>('models:import', { path: await tinyBundle() });
    expect(await ok<Model>('models:import', { path: await tinyBundle() })).toEqual(model);
    expect(await ok<{ models: Model[] }>('models:list', {})).toEqual({ models: [model] });

    const damaged = await copyTinyBundle();
    try {
      fs.rmSync(path.join(damaged, 'text_encoder.onnx'));
      expect(await rpc('models:import', { path: damaged })).toMatchObject({
        ok: false,
        error: { code: 'bundle_invalid', message: expect.stringContaining('text_encoder.onnx: missing') },
      });
    } finally {
      fs.rmSync(damaged, { recursive: true, force: true });
    }
  });

  it('imports a reference image and refuses bad ones with image_invalid', async () => {
    const png = await referencePng();
    const stored = await ok<{ sha256: string; width: number; height: number }>('assets:import', { name: 'cat.png', dataBase64: png.toString('base64') });
    expect(stored).toMatchObject({ width: 48, height: 48 });
    reference = stored.sha256;

    const refused = async (name: string, bytes: Buffer, message: RegExp): Promise<void> => {
      const reply = await rpc('assets:import', { name, dataBase64: bytes.toString('base64') });
      expect(reply).toMatchObject({ ok: false, error: { code: 'image_invalid' } });
      expect((reply as { error: { message: string } }).error.message).toMatch(message);
    };
    await refused('broken.png', png.subarray(0, png.length - 40), /^broken\.png: .*(damaged|truncated)/);
    await refused('notes.png', Buffer.from('not an image at all'), /^notes\.png: is not an image/);
    await refused('bomb.png', hugeHeaderPng(30_000, 30_000), /^bomb\.png: is 30000×30000/);
    expect(await rpc('assets:import', { name: 'empty.png', dataBase64: '' })).toMatchObject({ ok: false, error: { code: 'validation_failed' } });
  });

  it('refuses at once a prompt whose markers do not match the references, and an unknown reference', async () => {
    expect(
      await rpc('generations:enqueue', { modelId: model.id, prompt: '<image> next to <image>', references: [reference] }),
    ).toMatchObject({
      ok: false,
      error: { code: 'prompt_invalid', message: 'The prompt has 2 <image> markers but 1 reference image was given; write one <image> for each reference, in order' },
    });
    // The tiny model's prompt holds 64 tokens, 16 per image: four images leave no room for the text.
    expect(
      await rpc('generations:enqueue', { modelId: model.id, prompt: '<image> <image> <image> <image>', references: Array(4).fill(reference) }),
    ).toMatchObject({
      ok: false,
      error: { code: 'prompt_invalid', message: expect.stringContaining('4 reference images take 64 of the 64 prompt tokens') },
    });
    expect(await rpc('generations:enqueue', { modelId: model.id, prompt: 'a cat <image>', references: ['f'.repeat(64)] })).toMatchObject({
      ok: false,
      error: { code: 'not_found' },
    });
  });

  it('queues a batch, reports progress and states as events, and stores PNGs carrying their parameters', async () => {
    const queued = await ok<{ batchId: string; generations: Generation[] }>('generations:enqueue', {
      modelId: model.id,
      prompt: 'The cat in <image>. A cat as a pixel-art hero',
      references: [reference],
      seed: '99',
      count: 2,
      params: { temperature: 0.7 },
    });
    expect(queued.generations.map((row) => [row.variation, row.status])).toEqual([
      [0, 'queued'],
      [1, 'queued'],
    ]);
    const params = { ...model.sampling, temperature: 0.7 };
    expect(queued.generations[0]!.params).toEqual(params);

    for (const row of queued.generations) {
      const done = await waitUntilSettled(row.id);
      expect(done).toMatchObject({ status: 'done', error: null });
      const file = path.join(serve.home, 'assets', done.resultSha256!.slice(0, 2), `${done.resultSha256}.png`);
      const meta = parseGenerationMetadata(readPngText(fs.readFileSync(file)));
      expect(meta).toMatchObject({ prompt: done.prompt, seed: '99', params, variation: done.variation, count: 2, references: [reference] });
    }

    const states = events.filter((entry) => entry.event === 'generation:state' && entry.payload.batchId === queued.batchId);
    expect(states.map((entry) => entry.payload.status)).toEqual(['queued', 'running', 'done']);
    expect(events.some((entry) => entry.event === 'generation:progress' && entry.payload.batchId === queued.batchId)).toBe(true);
    expect(events.some((entry) => entry.event === 'engine:state' && entry.payload.state === 'busy')).toBe(true);

    const health = (await (await fetch(new URL(`api/health?token=${serve.token}`, serve.baseUrl))).json()) as { engine: unknown };
    expect(health.engine).toMatchObject({ state: 'idle', device: 'cpu' });
    const listed = await ok<{ generations: Generation[] }>('generations:list', { statuses: ['done'] });
    expect(listed.generations.map((row) => row.batchId)).toEqual([queued.batchId, queued.batchId]);
  });

  it('cancels a batch by id and refuses an unknown one', async () => {
    const queued = await ok<{ batchId: string; generations: Generation[] }>('generations:enqueue', {
      modelId: model.id,
      prompt: 'a cat',
      references: [],
      count: 1,
    });
    const { cancelled } = await ok<{ cancelled: number }>('generations:cancel', { batchId: queued.batchId });
    const settled = await waitUntilSettled(queued.generations[0]!.id);
    // The tiny model may finish before the cancel lands; either way the batch is settled and consistent.
    expect(cancelled === 1 ? settled.status === 'cancelled' : settled.status === 'done').toBe(true);
    expect(await rpc('generations:cancel', { batchId: '5b1c2a4e-8f7d-4c3b-9a2e-1f0d3c4b5a69' })).toMatchObject({
      ok: false,
      error: { code: 'not_found' },
    });
  });
});

describe('serve killed while generating', () => {
  it('takes its engine worker down with it, and the next start shows the batch interrupted without running it', async () => {
    // Slow rows so the kill lands mid-job.
    const env = { MENTOR_ENGINE_TEST_DECODE_DELAY_MS: '300' };
    const first = await startServe({ env });
    const call = async <T>(target: ServeProcess, method: string, input: unknown): Promise<T> => {
      const response = await fetch(new URL(`api/rpc/${method}`, target.baseUrl), {
        method: 'POST',
        headers: { Authorization: `Bearer ${target.token}`, 'Content-Type': 'application/json' },
        body: JSON.stringify(input),
      });
      const reply = (await response.json()) as Reply<T>;
      if (!reply.ok) {
        throw new Error(`${method}: ${reply.error.message}`);
      }
      return reply.value;
    };
    let workerPid: number | undefined;
    try {
      const imported = await call<Model>(first, 'models:import', { path: await tinyBundle() });
      const queued = await call<{ batchId: string; generations: Generation[] }>(first, 'generations:enqueue', {
        modelId: imported.id,
        prompt: 'a cat',
        references: [],
      });
      const deadline = Date.now() + 30_000;
      while ((await call<Generation>(first, 'generations:get', { id: queued.generations[0]!.id })).status !== 'running') {
        if (Date.now() > deadline) {
          throw new Error('the batch never started');
        }
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      workerPid = childPids(first.child.pid!)[0];
      if (process.platform === 'linux') {
        expect(workerPid).toBeDefined();
      }
      first.child.kill('SIGKILL');
      await first.stop();

      const second = await startServe({ home: first.home, env });
      try {
        const row = await call<Generation>(second, 'generations:get', { id: queued.generations[0]!.id });
        expect(row).toMatchObject({ status: 'interrupted', error: expect.stringContaining('stopped while this was generating') });
        await new Promise((resolve) => setTimeout(resolve, 500));
        expect((await call<Generation>(second, 'generations:get', { id: row.id })).status).toBe('interrupted');
      } finally {
        await second.stop();
      }
    } finally {
      await first.stop();
    }
    if (workerPid !== undefined) {
      await expectGone(workerPid);
    }
  }, 60_000);
});

/** Children of `pid` (Linux /proc; elsewhere none, and the orphan check is skipped). */
function childPids(pid: number): number[] {
  if (process.platform !== 'linux') {
    return [];
  }
  return fs
    .readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .filter((entry) => {
      try {
        const stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
        return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === pid;
      } catch {
        return false;
      }
    })
    .map(Number);
}

async function expectGone(pid: number): Promise<void> {
  const deadline = Date.now() + 5_000;
  for (;;) {
    try {
      process.kill(pid, 0);
    } catch {
      return;
    }
    if (Date.now() > deadline) {
      throw new Error(`the engine worker ${pid} outlived its killed serve process`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
