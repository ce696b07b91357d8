/**
 * The TypeScript engine's side of the benchmark: generate() in this process on one bundle, CPU, a
 * warm-up generation first, then `runs` timed ones (and optionally one more with a different number
 * of tokens per decode call). Runs in its own process (`mentor bench --engine-only …`) so that its
 * peak RSS is its own.
 */
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import type { GenerationResult } from '../../engine/generate/generate';
import { generate } from '../../engine/generate/generate';
import { openRuntime } from '../../engine/runtime/open-runtime';

export type EngineBenchOptions = {
  /** The repository (for the onnxruntime-node version). */
  root: string;
  bundle: string;
  image: string;
  prompt: string;
  seed: bigint;
  threads: number;
  warmup: number;
  runs: number;
  /** Tokens per decode call of an extra run after the timed ones (e.g. 1: the KV cache crosses every token). */
  extraTokensPerCall?: number;
};

export type EngineRun = {
  tokensPerCall: number;
  timings: Record<string, number>;
  decodeMsPerToken: number;
  boundaryBytes: number;
};

export type EngineBenchResult = {
  kind: 'ts';
  threads: number;
  tokens: number;
  loadMs: number;
  runs: EngineRun[];
  extra: EngineRun | null;
  /** process.resourceUsage().maxRSS after the timed runs (before the extra run), bytes. */
  peakRssBytes: number;
  /** The highest process.memoryUsage().rss seen at any row of a timed run, bytes. */
  sampledPeakRssBytes: number;
  sampledTokens: number[];
  versions: { node: string; onnxruntimeNode: string };
};

export function onnxruntimeNodeVersion(root: string): string {
  try {
    const require = createRequire(path.join(root, 'package.json'));
    const file = require.resolve('onnxruntime-node/package.json');
    return (JSON.parse(fs.readFileSync(file, 'utf8')) as { version: string }).version;
  } catch {
    return 'unknown';
  }
}

export async function runEngineBench(options: EngineBenchOptions): Promise<EngineBenchResult> {
  const loading = performance.now();
  const runtime = await openRuntime(options.bundle, { device: 'cpu', threads: options.threads, verify: false });
  const loadMs = performance.now() - loading;
  try {
    const { manifest } = runtime.bundle;
    const tokens = manifest.config.grid * manifest.config.grid;
    const references = [{ name: path.basename(options.image), bytes: new Uint8Array(fs.readFileSync(options.image)) }];
    let sampledPeak = process.memoryUsage().rss;
    const once = (tokensPerCall: number): Promise<GenerationResult> =>
      generate(
        runtime,
        { prompt: options.prompt, references, seed: options.seed, count: 1, params: manifest.sampling, tokensPerCall },
        {
          previewIntervalMs: Infinity,
          onProgress: () => {
            sampledPeak = Math.max(sampledPeak, process.memoryUsage().rss);
          },
        },
      );
    const record = (result: GenerationResult, tokensPerCall: number): EngineRun => ({
      tokensPerCall,
      timings: result.timings,
      decodeMsPerToken: (result.timings.decode ?? 0) / tokens,
      boundaryBytes: result.boundaryBytes,
    });
    const perRow = manifest.config.grid;
    for (let i = 0; i < options.warmup; i++) {
      await once(perRow);
    }
    const runs: EngineRun[] = [];
    let sampledTokens: number[] = [];
    for (let i = 0; i < options.runs; i++) {
      const result = await once(perRow);
      runs.push(record(result, perRow));
      sampledTokens = Array.from(result.tokens[0] ?? [], (token) => Number(token));
    }
    const peakRssBytes = process.resourceUsage().maxRSS * 1024;
    const sampledPeakRssBytes = sampledPeak;
    let extra: EngineRun | null = null;
    if (options.extraTokensPerCall !== undefined) {
      extra = record(await once(options.extraTokensPerCall), options.extraTokensPerCall);
    }
    return {
      kind: 'ts',
      threads: runtime.threads,
      tokens,
      loadMs,
      runs,
      extra,
      peakRssBytes,
      sampledPeakRssBytes,
      sampledTokens,
      versions: { node: process.version, onnxruntimeNode: onnxruntimeNodeVersion(options.root) },
    };
  } finally {
    await runtime.close();
  }
}
