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
import { isEngineError } from '../../engine/errors';
import { openRuntime } from '../../engine/runtime/open-runtime';
import { median } from './report';

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
  /** An extra run after the timed ones, at this many tokens per decode call (1: the KV cache crosses every token). */
  extraTokensPerCall?: number;
  /** The extra run stops after `extraSkipCalls` + this many decode calls; the later ones are timed. */
  extraDecodeCalls?: number;
  extraSkipCalls?: number;
};

export type EngineRun = {
  tokensPerCall: number;
  timings: Record<string, number>;
  /** All decode calls' time (generate's timings.decode) ÷ tokens. */
  decodeMsPerToken: number;
  /** The median time from one row's progress report to the next, per token (robust to bursts of other work). */
  decodeMsPerTokenMedian: number;
  boundaryBytes: number;
};

/** A run stopped after a number of decode calls: the time from one call's progress report to the next. */
export type PartialRun = {
  tokensPerCall: number;
  decodeMsPerToken: number;
  decodeMsPerTokenMedian: number;
  decodeTokensMeasured: number;
  skippedTokens: number;
};

export type EngineBenchResult = {
  kind: 'ts';
  threads: number;
  tokens: number;
  loadMs: number;
  runs: EngineRun[];
  extra: PartialRun | null;
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
    let stamps: number[] = [];
    const once = (tokensPerCall: number): Promise<GenerationResult> => {
      stamps = [];
      return generate(
        runtime,
        { prompt: options.prompt, references, seed: options.seed, count: 1, params: manifest.sampling, tokensPerCall },
        {
          previewIntervalMs: Infinity,
          onProgress: () => {
            stamps.push(performance.now());
            sampledPeak = Math.max(sampledPeak, process.memoryUsage().rss);
          },
        },
      );
    };
    const record = (result: GenerationResult, tokensPerCall: number): EngineRun => ({
      tokensPerCall,
      timings: result.timings,
      decodeMsPerToken: (result.timings.decode ?? 0) / tokens,
      // From the 2nd report on: the 1st comes after the first call and any preview.
      decodeMsPerTokenMedian: median(deltas(stamps)) / tokensPerCall,
      boundaryBytes: result.boundaryBytes,
    });
    const partialRun = async (tokensPerCall: number, skip: number, calls: number): Promise<PartialRun> => {
      const controller = new AbortController();
      const callEnds: number[] = [];
      try {
        await generate(
          runtime,
          { prompt: options.prompt, references, seed: options.seed, count: 1, params: manifest.sampling, tokensPerCall },
          {
            signal: controller.signal,
            previewIntervalMs: Infinity,
            onProgress: () => {
              callEnds.push(performance.now());
              if (callEnds.length > skip + calls) {
                controller.abort();
              }
            },
          },
        );
      } catch (error) {
        if (!(isEngineError(error) && error.code === 'cancelled')) {
          throw error;
        }
      }
      // callEnds[skip] is the end of call skip + 1; the next `calls` calls end at callEnds[skip + calls].
      const measured = Math.min(calls, callEnds.length - 1 - skip);
      if (measured < 1) {
        throw new Error(`the ${tokensPerCall}-token-per-call run made only ${callEnds.length} decode calls`);
      }
      return {
        tokensPerCall,
        decodeMsPerToken: (callEnds[skip + measured]! - callEnds[skip]!) / (measured * tokensPerCall),
        decodeMsPerTokenMedian: median(deltas(callEnds.slice(skip, skip + measured + 1))) / tokensPerCall,
        decodeTokensMeasured: measured * tokensPerCall,
        skippedTokens: (skip + 1) * tokensPerCall,
      };
    };
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
    let extra: PartialRun | null = null;
    if (options.extraTokensPerCall !== undefined) {
      extra = await partialRun(options.extraTokensPerCall, options.extraSkipCalls ?? 4, options.extraDecodeCalls ?? 48);
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

/** Differences of consecutive times. */
export function deltas(times: readonly number[]): number[] {
  return times.slice(1).map((time, i) => time - times[i]!);
}
