/**
 * The engine worker's loop: one job at a time, the runtime kept open between jobs, cancel through an
 * AbortController that `generate` checks between image rows. Every message in and out is checked
 * against messages.ts. Errors of one job come back as `failed` with the engine's code and message; the
 * worker itself stays up for the next job.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import type { InferenceSession } from 'onnxruntime-node';
import { EngineError, isEngineError } from '../errors';
import { HashCache } from '../bundle/hash-cache';
import type { GenerationHooks, GenerationRequest, GenerationResult } from '../generate/generate';
import { metadataText } from '../png/generation-metadata';
import type { EngineRuntime } from '../runtime/open-runtime';
import type { ReferenceInput, RgbImage } from '../types';
import type { WorkerChannel } from './channel';
import { FromWorker, ToWorker, describeMessageIssues, type RunMessage, type WorkerReference } from './messages';

export type WorkerDeps = {
  openRuntime(dir: string, options: { device: 'cpu' | 'cuda'; threads?: number; hashCache?: HashCache }): Promise<EngineRuntime>;
  generate(runtime: EngineRuntime, request: GenerationRequest, hooks?: GenerationHooks): Promise<GenerationResult>;
  encodePng(image: RgbImage, text: Record<string, string>): Buffer;
};

export type WorkerLoopOptions = {
  /**
   * Test seam (env MENTOR_ENGINE_TEST_DECODE_DELAY_MS in the worker process): wait this long before each
   * decode call, so process-level tests can kill or cancel a tiny model's generation mid-way.
   */
  decodeDelayMs?: number;
  /** Minimum time between previews; default 500 ms. */
  previewIntervalMs?: number;
  /** Called after `shutdown`, once the runtime is closed. */
  exit?: (code: number) => void;
};

type OpenRuntime = { key: string; runtime: EngineRuntime };

export function runWorkerLoop(channel: WorkerChannel, deps: WorkerDeps, options: WorkerLoopOptions = {}): void {
  let open: OpenRuntime | null = null;
  let current: { jobId: string; abort: AbortController } | null = null;
  const exit = options.exit ?? ((code: number) => process.exit(code));

  const send = (message: FromWorker): void => {
    // Checked on the way out too: a bug here must not reach main as a half-formed message.
    channel.send(FromWorker.parse(message));
  };
  const fail = (jobId: string | null, error: unknown): void => {
    const code = isEngineError(error) ? error.code : 'internal';
    const message = error instanceof Error ? error.message : String(error);
    send({ type: 'failed', jobId, code, message });
  };

  const closeRuntime = async (): Promise<void> => {
    const closing = open;
    open = null;
    await closing?.runtime.close();
  };

  const runtimeFor = async (message: RunMessage): Promise<{ runtime: EngineRuntime; loadMs: number }> => {
    const key = JSON.stringify([path.resolve(message.bundleDir), message.device, message.threads ?? null]);
    if (open?.key === key) {
      return { runtime: open.runtime, loadMs: 0 };
    }
    // One model in memory at a time: a MENTOR bundle is several gigabytes.
    await closeRuntime();
    const started = performance.now();
    const hashCache = message.hashCachePath === undefined ? undefined : new HashCache(message.hashCachePath);
    const runtime = await deps.openRuntime(message.bundleDir, {
      device: message.device,
      ...(message.threads === undefined ? {} : { threads: message.threads }),
      ...(hashCache === undefined ? {} : { hashCache }),
    });
    saveQuietly(hashCache);
    if (options.decodeDelayMs !== undefined && options.decodeDelayMs > 0) {
      slowDown(runtime, 'decode', options.decodeDelayMs);
    }
    open = { key, runtime };
    return { runtime, loadMs: performance.now() - started };
  };

  const run = async (message: RunMessage): Promise<void> => {
    const abort = new AbortController();
    current = { jobId: message.jobId, abort };
    const { jobId, request } = message;
    try {
      const { runtime, loadMs } = await runtimeFor(message);
      send({ type: 'loaded', jobId, device: runtime.device, deviceNote: runtime.deviceNote, loadMs });
      const references = await Promise.all(request.references.map(readReference));
      const result = await deps.generate(
        runtime,
        {
          prompt: request.prompt,
          references,
          seed: BigInt(request.seed),
          count: request.count,
          ...(request.firstVariation === undefined ? {} : { firstVariation: request.firstVariation }),
          params: request.params,
          ...(request.tokensPerCall === undefined ? {} : { tokensPerCall: request.tokensPerCall }),
        },
        {
          signal: abort.signal,
          previewIntervalMs: options.previewIntervalMs ?? 500,
          onProgress: (progress) => {
            send({
              type: 'progress',
              jobId,
              row: progress.row,
              rows: progress.rows,
              tokensPerSecond: progress.tokensPerSecond,
              etaMs: progress.etaMs,
              ...(progress.preview === undefined ? {} : { preview: toPng(deps, progress.preview, {}) }),
            });
          },
        },
      );
      // A cancel that arrived after the last row: the caller no longer wants these images.
      if (abort.signal.aborted) {
        throw new EngineError('cancelled', 'Cancelled');
      }
      const images = result.images.map((image, variation) => toPng(deps, image, pngText(runtime, message, image, variation)));
      send({ type: 'done', jobId, images, timings: result.timings, boundaryBytes: result.boundaryBytes });
    } catch (error) {
      fail(jobId, error);
    } finally {
      current = null;
    }
  };

  channel.onMessage((raw) => {
    const parsed = ToWorker.safeParse(raw);
    if (!parsed.success) {
      const jobId = typeof (raw as { jobId?: unknown } | null)?.jobId === 'string' ? (raw as { jobId: string }).jobId : null;
      send({
        type: 'failed',
        jobId: jobId !== null && jobId.length > 0 && jobId.length <= 100 ? jobId : null,
        code: 'internal',
        message: `The engine worker got a malformed message: ${describeMessageIssues(parsed.error)}`,
      });
      return;
    }
    const message = parsed.data;
    switch (message.type) {
      case 'run':
        if (current !== null) {
          send({ type: 'failed', jobId: message.jobId, code: 'internal', message: `The engine worker is busy with job ${current.jobId}` });
          return;
        }
        void run(message);
        return;
      case 'cancel':
        if (current?.jobId === message.jobId) {
          current.abort.abort();
        }
        return;
      case 'shutdown':
        current?.abort.abort();
        void closeRuntime().finally(() => exit(0));
        return;
    }
  });
  channel.onDisconnect(() => {
    current?.abort.abort();
    void closeRuntime().finally(() => exit(0));
  });
  send({ type: 'ready', pid: process.pid });
}

async function readReference(reference: WorkerReference): Promise<ReferenceInput> {
  if ('base64' in reference) {
    return { name: reference.name, bytes: Buffer.from(reference.base64, 'base64') };
  }
  try {
    return { name: reference.name, bytes: await fs.readFile(reference.path) };
  } catch (error) {
    throw new EngineError('image_invalid', `${reference.name}: cannot read ${reference.path}: ${(error as Error).message}`);
  }
}

/** The generation's parameters for the PNG's text chunks, or none when the request asks for none. */
function pngText(runtime: EngineRuntime, message: RunMessage, image: RgbImage, index: number): Record<string, string> {
  const { request } = message;
  if (request.metadata === undefined) {
    return {};
  }
  const { config, name } = runtime.bundle.manifest;
  // The true variation: image `index` of a batch that starts at firstVariation (a re-run starts past 0).
  const firstVariation = request.firstVariation ?? 0;
  return metadataText({
    prompt: request.prompt,
    seed: request.seed,
    params: request.params,
    tokens: config.grid * config.grid,
    variation: firstVariation + index,
    count: request.metadata.count ?? firstVariation + request.count,
    width: image.width,
    height: image.height,
    imageSize: config.imageSize,
    model: { name, bundleSha256: runtime.bundle.bundleSha256 },
    references: request.metadata.references,
    engineVersion: request.metadata.engineVersion,
  });
}

function toPng(deps: WorkerDeps, image: RgbImage, text: Record<string, string>): { width: number; height: number; pngBase64: string } {
  return { width: image.width, height: image.height, pngBase64: deps.encodePng(image, text).toString('base64') };
}

/** The cache only saves work; failing to write it must not fail a job. */
function saveQuietly(cache: HashCache | undefined): void {
  try {
    cache?.save();
  } catch {
    // ignored: the next start hashes again
  }
}

/** Replaces one session with a view whose `run` first waits `delayMs` (test seam, see WorkerLoopOptions). */
function slowDown(runtime: EngineRuntime, key: 'decode', delayMs: number): void {
  const original = runtime.sessions[key];
  const slow = Object.create(original) as InferenceSession;
  const run = original.run.bind(original) as (...args: unknown[]) => ReturnType<InferenceSession['run']>;
  Object.defineProperty(slow, 'run', {
    value: async (...args: unknown[]) => {
      await new Promise((resolve) => setTimeout(resolve, delayMs));
      return run(...args);
    },
  });
  (runtime.sessions as Record<string, InferenceSession>)[key] = slow;
}
