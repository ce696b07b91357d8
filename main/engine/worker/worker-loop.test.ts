import { describe, expect, it, vi } from 'vitest';
import { EngineError } from '../errors';
import type { GenerationHooks, GenerationRequest } from '../generate/generate';
import type { EngineRuntime } from '../runtime/open-runtime';
import type { WorkerChannel } from './channel';
import { FromWorker, type RunMessage } from './messages';
import { runWorkerLoop, type WorkerDeps } from './worker-loop';

const params = { cfgScale: 3, temperature: 1, topK: 0, topP: 1 };
const sha = 'b'.repeat(64);

function fakeRuntime(dir: string): EngineRuntime {
  return {
    bundle: { dir, manifest: { name: 'fake', config: { grid: 2, imageSize: 2 } }, bundleSha256: sha },
    sessions: {},
    device: 'cpu',
    deviceNote: null,
    threads: 1,
    close: vi.fn(() => Promise.resolve()),
  } as unknown as EngineRuntime;
}

/** Two rows, yielding to the event loop between them like the real `generate`. */
async function fakeGenerate(_runtime: EngineRuntime, request: GenerationRequest, hooks: GenerationHooks = {}) {
  for (let row = 0; row < 2; row++) {
    await new Promise((resolve) => setTimeout(resolve, 5));
    if (hooks.signal?.aborted === true) {
      throw new EngineError('cancelled', 'Cancelled');
    }
    hooks.onProgress?.({ row, rows: 2, tokensDone: (row + 1) * 2, tokensTotal: 4, tokensPerSecond: 10, etaMs: 5 });
  }
  return {
    tokens: [],
    images: Array.from({ length: request.count }, (_, b) => ({ width: 2, height: 2, data: new Uint8Array(12).fill(b) })),
    timings: { total: 10 },
    boundaryBytes: 100,
  };
}

function start(overrides: Partial<WorkerDeps> = {}) {
  const sent: FromWorker[] = [];
  let deliver: (message: unknown) => void = () => undefined;
  const channel: WorkerChannel = {
    send: (message) => sent.push(FromWorker.parse(message)),
    onMessage: (listener) => {
      deliver = listener;
    },
    onDisconnect: () => undefined,
  };
  const deps: WorkerDeps = {
    openRuntime: vi.fn((dir: string) => Promise.resolve(fakeRuntime(dir))),
    generate: vi.fn(fakeGenerate),
    encodePng: vi.fn((image, text: Record<string, string>) => Buffer.from(`png:${image.data[0]}:${Object.keys(text).join(',')}`)),
    ...overrides,
  };
  const exit = vi.fn();
  runWorkerLoop(channel, deps, { exit });
  const until = async (predicate: (message: FromWorker) => boolean): Promise<FromWorker> => {
    for (let i = 0; i < 400; i++) {
      const found = sent.find(predicate);
      if (found !== undefined) {
        return found;
      }
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    throw new Error(`not sent; sent: ${JSON.stringify(sent)}`);
  };
  return { sent, deliver: (message: unknown) => deliver(message), deps, exit, until };
}

const run = (jobId: string, extra: Partial<RunMessage> = {}): RunMessage => ({
  type: 'run',
  jobId,
  bundleDir: '/bundles/a',
  device: 'cpu',
  request: { prompt: 'a cat', references: [], seed: '7', count: 2, params, metadata: { references: [], engineVersion: '1.0' } },
  ...extra,
});

describe('engine worker loop', () => {
  it('says ready, then runs a job: loaded, a progress per row, done with one PNG per variation', async () => {
    const worker = start();
    expect(worker.sent[0]).toEqual({ type: 'ready', pid: process.pid });
    worker.deliver(run('j1'));
    const done = await worker.until((message) => message.type === 'done');
    expect(worker.sent.map((message) => message.type)).toEqual(['ready', 'loaded', 'progress', 'progress', 'done']);
    expect(done).toMatchObject({ jobId: 'j1', timings: { total: 10 }, boundaryBytes: 100 });
    const images = (done as Extract<FromWorker, { type: 'done' }>).images.map((image) => Buffer.from(image.pngBase64, 'base64').toString());
    expect(images).toEqual(['png:0:mentor,parameters', 'png:1:mentor,parameters']);
    expect(vi.mocked(worker.deps.generate).mock.calls[0]![1]).toMatchObject({ seed: 7n, count: 2, params });
  });

  it('runs a re-run from its first variation and writes the true variation and the recorded count into each PNG', async () => {
    const texts: Record<string, string>[] = [];
    const worker = start({
      encodePng: vi.fn((_image, text: Record<string, string>) => {
        texts.push(text);
        return Buffer.from('png');
      }),
    });
    const request = { ...run('j1').request, count: 2, firstVariation: 3, metadata: { references: [], engineVersion: '1.0', count: 6 } };
    worker.deliver(run('j1', { request }));
    await worker.until((message) => message.type === 'done');
    expect(vi.mocked(worker.deps.generate).mock.calls[0]![1]).toMatchObject({ count: 2, firstVariation: 3 });
    expect(texts.map((text) => JSON.parse(text.mentor!) as { variation: number; count: number })).toMatchObject([
      { variation: 3, count: 6 },
      { variation: 4, count: 6 },
    ]);
    expect(texts[1]!.parameters).toContain('Variation: 4, Count: 6');

    texts.length = 0;
    worker.deliver(run('j2', { request: { ...request, metadata: { references: [], engineVersion: '1.0' } } }));
    await worker.until((message) => message.type === 'done' && message.jobId === 'j2');
    // Without a recorded count the batch is taken to end with its last image.
    expect(texts.map((text) => (JSON.parse(text.mentor!) as { count: number }).count)).toEqual([5, 5]);
  });

  it('keeps the runtime open for the next job on the same bundle, and closes it for another bundle', async () => {
    const worker = start();
    worker.deliver(run('j1'));
    await worker.until((message) => message.type === 'done' && message.jobId === 'j1');
    worker.deliver(run('j2'));
    await worker.until((message) => message.type === 'done' && message.jobId === 'j2');
    expect(worker.deps.openRuntime).toHaveBeenCalledTimes(1);
    expect(worker.sent.filter((message) => message.type === 'loaded').map((message) => (message as { loadMs: number }).loadMs)[1]).toBe(0);

    const first = await vi.mocked(worker.deps.openRuntime).mock.results[0]!.value;
    worker.deliver(run('j3', { bundleDir: '/bundles/b' }));
    await worker.until((message) => message.type === 'done' && message.jobId === 'j3');
    expect(worker.deps.openRuntime).toHaveBeenCalledTimes(2);
    expect(first.close).toHaveBeenCalled();
  });

  it('stops a job on cancel and reports it cancelled', async () => {
    const worker = start();
    worker.deliver(run('j1'));
    await worker.until((message) => message.type === 'progress');
    worker.deliver({ type: 'cancel', jobId: 'j1' });
    expect(await worker.until((message) => message.type === 'failed')).toEqual({ type: 'failed', jobId: 'j1', code: 'cancelled', message: 'Cancelled' });
    expect(worker.sent.some((message) => message.type === 'done')).toBe(false);
  });

  it('refuses a second job while one runs, and a malformed message, naming the field', async () => {
    const worker = start();
    worker.deliver(run('j1'));
    worker.deliver(run('j2'));
    expect(await worker.until((message) => message.type === 'failed' && message.jobId === 'j2')).toMatchObject({
      code: 'internal',
      message: 'The engine worker is busy with job j1',
    });
    worker.deliver({ type: 'run', jobId: 'j3', bundleDir: '/x', device: 'tpu' });
    expect(await worker.until((message) => message.type === 'failed' && message.jobId === 'j3')).toMatchObject({
      code: 'internal',
      message: expect.stringMatching(/^The engine worker got a malformed message: .*device/),
    });
    await worker.until((message) => message.type === 'done' && message.jobId === 'j1');
  });

  it('reports an engine error with its code and message and stays up for the next job', async () => {
    const worker = start({
      openRuntime: vi.fn((dir: string) =>
        dir === '/broken' ? Promise.reject(new EngineError('bundle_invalid', '/broken: decode.onnx: missing')) : Promise.resolve(fakeRuntime(dir)),
      ),
    });
    worker.deliver(run('j1', { bundleDir: '/broken' }));
    expect(await worker.until((message) => message.type === 'failed')).toEqual({
      type: 'failed',
      jobId: 'j1',
      code: 'bundle_invalid',
      message: '/broken: decode.onnx: missing',
    });
    worker.deliver(run('j2'));
    await worker.until((message) => message.type === 'done' && message.jobId === 'j2');
  });

  it('names an unreadable reference file', async () => {
    const worker = start();
    worker.deliver(run('j1', { request: { ...run('j1').request, references: [{ name: 'cat.png', path: '/no/such/file.png' }] } }));
    expect(await worker.until((message) => message.type === 'failed')).toMatchObject({
      code: 'image_invalid',
      message: expect.stringMatching(/^cat\.png: cannot read \/no\/such\/file\.png/),
    });
  });

  it('closes the runtime and exits on shutdown', async () => {
    const worker = start();
    worker.deliver(run('j1'));
    await worker.until((message) => message.type === 'done');
    worker.deliver({ type: 'shutdown' });
    await vi.waitFor(() => expect(worker.exit).toHaveBeenCalledWith(0));
    const runtime = await vi.mocked(worker.deps.openRuntime).mock.results[0]!.value;
    expect(runtime.close).toHaveBeenCalled();
  });
});
