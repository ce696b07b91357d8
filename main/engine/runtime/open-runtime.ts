/**
 * A bundle made ready to run: checked files, one onnxruntime session per graph (created once and reused
 * for every generation), graph inputs/outputs checked against BUNDLE.md, and the prompt encoder.
 * Runs in the engine worker: `session.run()` blocks its thread (spec/performance.md §3.7).
 */
import os from 'node:os';
import * as ort from 'onnxruntime-node';
import { EngineError, isEngineError } from '../errors';
import type { GraphKey } from '../types';
import { graphKeys } from '../types';
import { checkGraphIo, graphDims } from '../bundle/graph-io';
import type { HashCache } from '../bundle/hash-cache';
import type { LoadedBundle } from '../bundle/load-bundle';
import { loadBundle } from '../bundle/load-bundle';
import { PromptEncoder } from '../prompt/prompt-encoder';

export type RuntimeDevice = 'cpu' | 'cuda';

export type OpenRuntimeOptions = {
  device: RuntimeDevice;
  /** Threads for one graph's math (intra-op). Default: os.availableParallelism(). */
  threads?: number;
  hashCache?: HashCache;
  /** Passed to loadBundle: false skips the sha256 of each file. Default true. */
  verify?: boolean;
};

export type EngineRuntime = {
  bundle: LoadedBundle;
  sessions: Record<GraphKey, ort.InferenceSession>;
  prompt: PromptEncoder;
  /** Where the sessions run: 'cpu' when CUDA was asked for but could not be used. */
  device: RuntimeDevice;
  /** Why the sessions run on the CPU although CUDA was asked for (a sentence for the user), else null. */
  deviceNote: string | null;
  /** The intra-op thread count the sessions use. */
  threads: number;
  /** Releases every session; safe to call twice. */
  close(): Promise<void>;
};

export function defaultThreads(): number {
  return Math.max(1, os.availableParallelism());
}

function sessionOptions(device: RuntimeDevice, threads: number): ort.InferenceSession.SessionOptions {
  return {
    executionProviders: device === 'cuda' ? ['cuda', 'cpu'] : ['cpu'],
    intraOpNumThreads: threads,
    interOpNumThreads: 1,
    executionMode: 'sequential',
    graphOptimizationLevel: 'all',
    // Warnings only when something is wrong (the default also logs every graph transform it skips).
    logSeverityLevel: 3,
    // Worker threads spin between the kernels of a run (a decode call runs ~550 per token; waking a
    // sleeping thread for each cost ~10% of GPT-B decode), and stop spinning when the run returns:
    // spinning that outlives a run steals the cores the window needs (spec/performance.md §3.4).
    extra: { session: { intra_op: { allow_spinning: '1' }, inter_op: { allow_spinning: '1' }, force_spinning_stop: '1' } },
  };
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function cudaNote(error: unknown): string {
  const reason = message(error).split('\n')[0] ?? '';
  const missingLibrary = /load|shared library|cannot open/i.test(reason);
  return missingLibrary
    ? "CUDA was requested but onnxruntime-node's CUDA provider is not installed " +
        `(${reason}; install it with npm ci --onnxruntime-node-install=cuda12, and CUDA 12 with cuDNN 9); running on the CPU`
    : `CUDA was requested but onnxruntime could not use it (${reason}); running on the CPU`;
}

async function releaseAll(sessions: Iterable<ort.InferenceSession>): Promise<void> {
  for (const session of sessions) {
    try {
      await session.release();
    } catch {
      // Closing: nothing more to do with a session that cannot be released.
    }
  }
}

/**
 * Opens the bundle in `dir` (loadBundle), creates its five sessions and the prompt encoder. With device
 * 'cuda', a CUDA provider that cannot be loaded is not an error: the sessions run on the CPU and
 * `deviceNote` says why. Throws EngineError('bundle_invalid') naming the file for a bundle that cannot be
 * used; sessions already created are released first.
 */
export async function openRuntime(dir: string, options: OpenRuntimeOptions): Promise<EngineRuntime> {
  const bundle = await loadBundle(dir, {
    ...(options.hashCache !== undefined ? { hashCache: options.hashCache } : {}),
    verify: options.verify ?? true,
  });
  const { manifest } = bundle;
  const threads = options.threads ?? defaultThreads();
  if (!Number.isInteger(threads) || threads < 1) {
    throw new EngineError('internal', `threads must be a whole number ≥ 1, got ${threads}`);
  }

  const prompt = await PromptEncoder.fromFile(bundle.tokenizerPath, {
    prefixLength: manifest.config.prefixLength,
    tokensPerImage: manifest.config.tokensPerImage,
    imageTokenId: manifest.config.imageTokenId,
    padTokenId: manifest.config.padTokenId,
  });

  let device = options.device;
  let deviceNote: string | null = null;
  const dims = graphDims(manifest);
  const created = new Map<GraphKey, ort.InferenceSession>();
  try {
    for (const key of graphKeys) {
      const file = bundle.graphPath(key);
      let session: ort.InferenceSession;
      try {
        session = await ort.InferenceSession.create(file, sessionOptions(device, threads));
      } catch (error) {
        if (device !== 'cuda') {
          throw new EngineError('bundle_invalid', `${file}: onnxruntime cannot load this graph (${message(error)})`);
        }
        // The first CUDA session that fails decides for all: the provider library is missing or unusable.
        device = 'cpu';
        deviceNote = cudaNote(error);
        try {
          session = await ort.InferenceSession.create(file, sessionOptions('cpu', threads));
        } catch (cpuError) {
          throw new EngineError('bundle_invalid', `${file}: onnxruntime cannot load this graph (${message(cpuError)})`);
        }
      }
      created.set(key, session);
      checkGraphIo(key, session, { file, layers: manifest.config.gpt.n_layer, kvDtype: manifest.kvDtype, dims });
    }
  } catch (error) {
    await releaseAll(created.values());
    throw isEngineError(error) ? error : new EngineError('internal', message(error));
  }

  const sessions = Object.fromEntries(created) as Record<GraphKey, ort.InferenceSession>;
  let closed = false;
  return {
    bundle,
    sessions,
    prompt,
    device,
    deviceNote,
    threads,
    async close() {
      if (closed) {
        return;
      }
      closed = true;
      await releaseAll(created.values());
    },
  };
}
