/**
 * `mentor bench` (also `npm run bench`): the TypeScript engine against the Python baselines on the same
 * weights, on this machine's CPU.
 *
 * For each bundle (tiny, and a GPT-B-sized one at 256 px, both random weights cached in bench/.cache/):
 * - TS engine: generate() in-process (its own child process, for its own peak RSS), one image row per
 *   decode call, threads = cores; a warm-up generation, then the median of `--runs`; then one more
 *   generation at one token per decode call, to separate "loop in the graph" from "Node vs Python".
 * - Python onnxruntime per-token loop, the conventional layout (past_present_baseline.py, Optimum's
 *   decoder_with_past): one call per token, every layer's past keys and values in and the present ones
 *   (one slot longer) back out, sampling in Python. The target ratio uses this one. Its step grows with
 *   the position, so it generates and times every token of the image.
 * - Python onnxruntime, decode.onnx once per token: BundleRunner with tokens_per_call=1 (the caches go in
 *   by reference and the token's keys and values come back into Python every token), with the TS engine's
 *   session options and with BundleRunner's own (onnxruntime's defaults: idle threads keep spinning
 *   after a run). This separates "a row per call" from "one token per call" on the same graph.
 * - PyTorch eager reference: reference_generate on random_models(config, seed 0), the same weights.
 * The decode.onnx and PyTorch baselines time `--decode-tokens` steps after 4 warm-up steps and then stop:
 * their step costs the same at every position (attention over the whole fixed-size cache), and a full
 * PyTorch image takes minutes.
 * Memory bandwidth: read bandwidth (numpy sums of large arrays, bench_python info), one thread and
 * every core at once; the floor of a decode step is the bytes one step must read (GPT weights and,
 * on average over the image, the KV slots it attends to) ÷ the higher of the two. A step only reads
 * these bytes, so a copy's read + write rate (also measured, with Buffer copies) would overstate it.
 * Prints a table and writes bench/results.json.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { BundleManifest } from '../../engine/bundle/manifest-schema';
import { parseSeed } from '../../engine/uniforms';
import type { FlagSpecs } from '../args';
import { numberFlag, parseArgs, stringFlag, UsageError } from '../args';
import type { CliContext } from '../context';
import { readManifest } from '../inspect-command';
import type { CopyBandwidth } from './bandwidth';
import { measureCopyBandwidth } from './bandwidth';
import { benchBundle, benchBundleSpec, benchReferenceImage, pastPresentBaseline, runPython } from './bench-bundles';
import { collectOutput, stderrTail } from './child-output';
import { decodeBytes, gptShape, weightBytesPerParameter } from './decode-bytes';
import type { EngineBenchResult } from './engine-bench';
import { onnxruntimeNodeVersion, runEngineBench } from './engine-bench';
import type { BundleSummary, Column, DecodeProfile } from './report';
import { agreement, bundleTable, median, medianStages, ratio, targets } from './report';

export const benchUsage = `usage: mentor bench [options]   (npm run bench -- [options])
  --bundles LIST        which bundles: tiny, b, b-int8, b-int4 (also tiny-int8, tiny-int4); default tiny,b
  --runs N              timed TS generations per bundle after one warm-up (default 3)
  --decode-tokens N     decode steps the Python baselines time, after 4 warm-up steps (default 48)
  --threads N           onnxruntime / torch threads (default: one per core, ${os.availableParallelism()} here)
  --skip-python         TS engine only
  --no-per-token        skip the extra TS run at one token per decode call
  --out FILE            where to write the results (default bench/results.json)`;

const specs: FlagSpecs = {
  bundles: { type: 'string' },
  runs: { type: 'string' },
  'decode-tokens': { type: 'string' },
  threads: { type: 'string' },
  'skip-python': { type: 'boolean' },
  'no-per-token': { type: 'boolean' },
  out: { type: 'string' },
  help: { type: 'boolean' },
  // Internal: one TS measurement in this process, JSON on stdout (the parent's child process).
  'engine-only': { type: 'boolean' },
  bundle: { type: 'string' },
  image: { type: 'string' },
  prompt: { type: 'string' },
  seed: { type: 'string' },
  warmup: { type: 'string' },
  'extra-tokens-per-call': { type: 'string' },
  'extra-decode-calls': { type: 'string' },
};

// The issue's two; the quantized ones on request (each adds about two minutes, its exports included).
const defaultBundles = 'tiny,b';
const prompt = 'The cat in <image>. A cat as a pixel-art hero';
const seed = 42n;
const skipTokens = 4;

/** The repository: the folder above this file's build (out/main) or above the working folder. */
export function findRoot(): string {
  const starts = [process.cwd(), path.dirname(path.resolve(process.argv[1] ?? '.'))];
  for (const start of starts) {
    let dir = start;
    for (;;) {
      const pkg = path.join(dir, 'package.json');
      if (fs.existsSync(pkg) && fs.existsSync(path.join(dir, 'native-models'))) {
        try {
          if ((JSON.parse(fs.readFileSync(pkg, 'utf8')) as { name?: string }).name === 'mentor-studio') {
            return dir;
          }
        } catch {
          // not ours; keep walking up
        }
      }
      const parent = path.dirname(dir);
      if (parent === dir) {
        break;
      }
      dir = parent;
    }
  }
  throw new Error('mentor bench runs inside the MENTOR Studio repository (no package.json of mentor-studio with native-models/ found above here)');
}

async function runNode(script: string, args: string[], cwd: string, signal: AbortSignal): Promise<string> {
  const child = spawn(process.execPath, [script, ...args], { cwd, stdio: ['ignore', 'pipe', 'pipe'], signal });
  const { code, stdout, stderr } = await collectOutput(child);
  if (code !== 0) {
    throw new Error(`TS engine measurement failed (exit ${code}): ${stderrTail(stderr, 2)}`);
  }
  return stdout;
}

type PythonRun = {
  timings: Record<string, number>;
  decodeMsPerToken: number | null;
  decodeMsPerTokenMedian: number | null;
  decodeTokensMeasured: number;
  decodeCalls: number;
  stoppedEarly: boolean;
};
type PythonResult = {
  kind: 'ort' | 'pastPresent' | 'torch';
  /** Measured by the past/present baseline: inputs and outputs of its calls over the image. */
  boundaryBytesPerImage?: number;
  tokens: number;
  runs: PythonRun[];
  sampledTokens: number[];
  peakRssBytes: number;
  modelLoadMs?: number;
  versions: Record<string, string>;
};
type PythonInfo = {
  versions: Record<string, string>;
  numpyCopy: { readWriteGBs: number; bytes: number };
  numpyRead: { threads: number; readGBs: number }[];
  decodeInitializers?: { bytes: number; count: number };
};

function lastJsonLine<T>(stdout: string, what: string): T {
  const line = stdout
    .trim()
    .split('\n')
    .reverse()
    .find((l) => l.startsWith('{'));
  if (line === undefined) {
    throw new Error(`${what} printed no JSON`);
  }
  return JSON.parse(line) as T;
}

function pythonColumn(label: string, result: PythonResult, boundaryBytesPerImage: number | null): Column {
  const perToken = result.runs.map((run) => run.decodeMsPerTokenMedian).filter((v): v is number => v !== null);
  const perTokenMean = result.runs.map((run) => run.decodeMsPerToken).filter((v): v is number => v !== null);
  const first = result.runs[0];
  const stopped = first?.stoppedEarly === true;
  const stageMs = medianStages(result.runs.map((run) => run.timings));
  if (stopped) {
    // Stopped part-way: the decode and total times are not those of a whole image.
    delete stageMs.decode;
    delete stageMs.total;
    delete stageMs.vqDecode;
  }
  return {
    label,
    stageMs,
    decodeMsPerToken: perToken.length > 0 ? median(perToken) : null,
    decodeMsPerTokenMean: perTokenMean.length > 0 ? median(perTokenMean) : null,
    decodeNote: stopped && first !== undefined ? `tokens ${skipTokens + 1}–${skipTokens + first.decodeTokensMeasured} of ${result.tokens}` : null,
    peakRssBytes: result.peakRssBytes,
    boundaryBytesPerImage,
  };
}

/**
 * Bytes the per-token loop's decode calls pass into onnxruntime and get back, per image: every token
 * the caches go in (read in place, not copied) with the logits, and the logits and the token's keys
 * and values (one cache slot) come back.
 */
function perTokenBoundaryBytes(tokens: number, kvCacheBytes: number, kvLength: number, codebook: number): number {
  return tokens * (kvCacheBytes + kvCacheBytes / kvLength + 2 * 2 * codebook * 4);
}

function machineInfo(): Record<string, unknown> {
  const cpus = os.cpus();
  return {
    cpuModel: cpus[0]?.model ?? 'unknown',
    logicalCores: cpus.length,
    availableParallelism: os.availableParallelism(),
    memoryGB: Number((os.totalmem() / 1e9).toFixed(1)),
    platform: `${os.platform()} ${os.release()} ${os.arch()}`,
  };
}

function describe(manifest: BundleManifest): string {
  const gpt = manifest.config.gpt as Record<string, unknown>;
  return `${manifest.name}, ${manifest.precision}, ${manifest.config.imageSize} px, ${manifest.config.grid}×${manifest.config.grid} tokens, GPT ${String(gpt.n_layer)} layers × ${String(gpt.dim)}, prefix ${manifest.config.prefixLength}`;
}

async function engineOnly(args: ReturnType<typeof parseArgs>, context: CliContext): Promise<number> {
  const need = (name: string): string => {
    const value = stringFlag(args, name);
    if (value === undefined) {
      throw new UsageError(`--engine-only needs --${name}`);
    }
    return value;
  };
  const extra = numberFlag(args, 'extra-tokens-per-call', { min: 1, integer: true });
  const extraCalls = numberFlag(args, 'extra-decode-calls', { min: 1, integer: true });
  const result = await runEngineBench({
    root: findRoot(),
    bundle: need('bundle'),
    image: need('image'),
    prompt: need('prompt'),
    seed: parseSeed(need('seed')),
    threads: numberFlag(args, 'threads', { min: 1, integer: true }) ?? os.availableParallelism(),
    warmup: numberFlag(args, 'warmup', { min: 0, integer: true }) ?? 1,
    runs: numberFlag(args, 'runs', { min: 1, integer: true }) ?? 3,
    ...(extra !== undefined ? { extraTokensPerCall: extra, extraSkipCalls: skipTokens } : {}),
    ...(extraCalls !== undefined ? { extraDecodeCalls: extraCalls } : {}),
  });
  context.stdout(JSON.stringify(result));
  return 0;
}

export async function runBench(argv: readonly string[], context: CliContext): Promise<number> {
  const args = parseArgs(argv, specs);
  if (args.flags.has('help')) {
    context.stdout(benchUsage);
    return 0;
  }
  if (args.flags.has('engine-only')) {
    return engineOnly(args, context);
  }
  const bundleSpecs = (stringFlag(args, 'bundles') ?? defaultBundles).split(',').map((name) => {
    try {
      return benchBundleSpec(name.trim());
    } catch (error) {
      throw new UsageError(`--bundles: ${error instanceof Error ? error.message : String(error)}`);
    }
  });
  const runs = numberFlag(args, 'runs', { min: 1, max: 50, integer: true }) ?? 3;
  const decodeTokens = numberFlag(args, 'decode-tokens', { min: 1, integer: true }) ?? 48;
  const threads = numberFlag(args, 'threads', { min: 1, max: 1024, integer: true }) ?? os.availableParallelism();
  const withPython = !args.flags.has('skip-python');
  const withPerToken = !args.flags.has('no-per-token');
  const root = findRoot();
  const outFile = path.resolve(stringFlag(args, 'out') ?? path.join(root, 'bench', 'results.json'));
  const cacheDir = path.join(root, 'bench', '.cache');
  const cli = path.join(root, 'out', 'main', 'cli.cjs');
  if (!fs.existsSync(cli)) {
    throw new Error(`${cli} is missing: run npm run bench (it builds first)`);
  }
  const log = (line: string): void => context.stderr(`bench: ${line}`);
  const started = Date.now();
  const loadBefore = os.loadavg();
  if (loadBefore[0]! > threads * 0.5) {
    log(`note: load average ${loadBefore[0]!.toFixed(2)} on ${threads} threads: other work is running, numbers will be slower and noisier`);
  }

  log('memory bandwidth (Buffer copies; numpy reads) …');
  const copies: CopyBandwidth[] = [await measureCopyBandwidth(1)];
  if (os.availableParallelism() > 1) {
    copies.push(await measureCopyBandwidth(os.availableParallelism()));
  }
  const machinePython = lastJsonLine<PythonInfo>(
    await runPython(root, ['-m', 'mentor_models.bench_python', 'info', '--threads', String(threads)]),
    'bench_python info',
  );
  const reads = machinePython.numpyRead;
  const bandwidthGBs = Math.max(...reads.map((read) => read.readGBs));
  const image = benchReferenceImage(cacheDir);

  const summaries: BundleSummary[] = [];
  const raw: Record<string, unknown> = {};
  let pythonVersions: Record<string, string> = machinePython.versions;
  const numpyCopyGBs = machinePython.numpyCopy.readWriteGBs;
  let tsVersions: EngineBenchResult['versions'] = { node: process.version, onnxruntimeNode: onnxruntimeNodeVersion(root) };
  for (const spec of bundleSpecs) {
    const { name } = spec;
    const bundle = await benchBundle(root, cacheDir, spec, log);
    const manifest = readManifest(bundle);
    const { config } = manifest;
    const tokens = config.grid * config.grid;
    const bytes = decodeBytes(
      gptShape(config.gpt as Record<string, unknown>),
      weightBytesPerParameter(manifest.graphPrecision.decode),
      manifest.kvDtype === 'float16' ? 2 : 4,
      config.kvCacheLength,
      config.prefixLength,
    );
    const floorMsPerToken = ((bytes.weightBytes + bytes.kvReadBytes) / (bandwidthGBs * 1e9)) * 1000;

    const steps = Math.min(decodeTokens, tokens - skipTokens - 1);
    log(`${name}: TS engine, ${runs} runs after a warm-up${withPerToken ? `, then ${steps} steps at 1 token per call` : ''} …`);
    const tsArgs = ['bench', '--engine-only', '--bundle', bundle, '--image', image, '--prompt', prompt, '--seed', String(seed)];
    tsArgs.push('--threads', String(threads), '--runs', String(runs), '--warmup', '1');
    if (withPerToken) {
      tsArgs.push('--extra-tokens-per-call', '1', '--extra-decode-calls', String(steps));
    }
    const loads: Record<string, number[]> = {};
    const phase = async <T>(key: string, work: () => Promise<T>): Promise<T> => {
      const before = os.loadavg()[0]!;
      const value = await work();
      loads[key] = [round(before), round(os.loadavg()[0]!)];
      return value;
    };
    const ts = await phase('ts', async () => lastJsonLine<EngineBenchResult>(await runNode(cli, tsArgs, root, context.signal), 'the TS measurement'));
    tsVersions = ts.versions;
    const perTokenBoundary = perTokenBoundaryBytes(tokens, bytes.kvCacheBytes, config.kvCacheLength, config.codebookSize);
    const tsColumn: Column = {
      label: 'TS engine',
      stageMs: medianStages(ts.runs.map((run) => run.timings)),
      decodeMsPerToken: median(ts.runs.map((run) => run.decodeMsPerTokenMedian)),
      decodeMsPerTokenMean: median(ts.runs.map((run) => run.decodeMsPerToken)),
      decodeNote: `row calls 2–${config.grid}, from one progress report to the next`,
      peakRssBytes: ts.peakRssBytes,
      boundaryBytesPerImage: median(ts.runs.map((run) => run.boundaryBytes)),
    };
    const columns: Column[] = [tsColumn];
    if (ts.extra !== null) {
      const from = ts.extra.skippedTokens + 1;
      columns.push({
        label: 'TS 1 tok/call',
        stageMs: {},
        decodeMsPerToken: ts.extra.decodeMsPerTokenMedian,
        decodeMsPerTokenMean: ts.extra.decodeMsPerToken,
        decodeNote: `tokens ${from}–${from + ts.extra.decodeTokensMeasured - 1} of ${tokens} (call to call)`,
        peakRssBytes: null,
        boundaryBytesPerImage: perTokenBoundary,
      });
    }

    let ort: PythonResult | null = null;
    let pastPresent: PythonResult | null = null;
    let ortDefaults: PythonResult | null = null;
    let torch: PythonResult | null = null;
    let info: PythonInfo | null = null;
    let profile: DecodeProfile | null = null;
    if (withPython) {
      info = lastJsonLine<PythonInfo>(await runPython(root, ['-m', 'mentor_models.bench_python', 'info', '--bundle', bundle]), 'bench_python info');
      pythonVersions = info.versions;
      const common = ['--image', image, '--prompt', prompt, '--seed', String(seed), '--threads', String(threads)];
      common.push('--decode-tokens', String(steps), '--skip-tokens', String(skipTokens));
      log(`${name}: Python onnxruntime, decode.onnx once per token (${steps} timed steps), the TS engine's session options …`);
      ort = await phase('pythonOrt', async () =>
        lastJsonLine<PythonResult>(
          await runPython(root, ['-m', 'mentor_models.bench_python', 'ort', '--bundle', bundle, '--tokens-per-call', '1', '--session-options', 'engine', ...common]),
          'bench_python ort',
        ),
      );
      const baseline = await pastPresentBaseline(root, bundle, spec, log);
      log(`${name}: Python onnxruntime, the conventional past/present graph once per token (all ${tokens} tokens, after a warm-up image) …`);
      pastPresent = await phase('pythonPastPresent', async () =>
        lastJsonLine<PythonResult>(
          await runPython(root, [
            '-m', 'mentor_models.bench_python', 'past-present', '--bundle', bundle, '--baseline', baseline,
            '--image', image, '--prompt', prompt, '--seed', String(seed), '--threads', String(threads), '--warmup', '1', '--runs', '1',
          ]),
          'bench_python past-present',
        ),
      );
      log(`${name}: decode.onnx with BundleRunner's own session options (onnxruntime's defaults) …`);
      ortDefaults = await phase('pythonOrtDefaults', async () =>
        lastJsonLine<PythonResult>(
          await runPython(root, ['-m', 'mentor_models.bench_python', 'ort', '--bundle', bundle, '--tokens-per-call', '1', '--session-options', 'default', ...common]),
          'bench_python ort (onnxruntime defaults)',
        ),
      );
      const s = manifest.sampling;
      if (spec.precision === 'fp32') {
        log(`${name}: PyTorch eager reference (${steps} timed steps) …`);
        torch = await phase('torch', async () =>
          lastJsonLine<PythonResult>(
            await runPython(root, [
              '-m', 'mentor_models.bench_python', 'torch', '--config', spec.config, '--weights-seed', '0', ...common,
              '--cfg', String(s.cfgScale), '--temperature', String(s.temperature), '--top-k', String(s.topK), '--top-p', String(s.topP),
            ]),
            'bench_python torch',
          ),
        );
      } else {
        // PyTorch has no run of these quantized weights: an fp32 eager column would compare different work.
        log(`${name}: no PyTorch eager column (the reference runs fp32 weights, not ${spec.precision} ones)`);
      }
      columns.push({
        ...pythonColumn('Python past/present', pastPresent, pastPresent.boundaryBytesPerImage ?? null),
        decodeNote: `every call of the image, tokens 1–${tokens} (the step grows with the position)`,
      });
      columns.push(pythonColumn('Python ORT 1 tok/call', ort, perTokenBoundary));
      columns.push(pythonColumn('same, ORT defaults', ortDefaults, perTokenBoundary));
      log(`${name}: onnxruntime profiler on one decode call of ${config.grid} tokens …`);
      profile = lastJsonLine<DecodeProfile>(
        await runPython(root, [
          '-m', 'mentor_models.bench_python', 'profile', '--bundle', bundle, '--image', image, '--prompt', prompt,
          '--threads', String(threads), '--tokens-per-call', String(config.grid),
        ]),
        'bench_python profile',
      );
      if (torch !== null) {
        columns.push(pythonColumn('PyTorch eager', torch, null));
      }
    }

    const tsMs = tsColumn.decodeMsPerToken;
    const pastPresentMs = columns.find((c) => c.label === 'Python past/present')?.decodeMsPerToken ?? null;
    const ortMs = columns.find((c) => c.label === 'Python ORT 1 tok/call')?.decodeMsPerToken ?? null;
    const torchMs = columns.find((c) => c.label === 'PyTorch eager')?.decodeMsPerToken ?? null;
    const tokenAgreement: string[] = [];
    if (pastPresent !== null) {
      tokenAgreement.push(`TS vs Python past/present: ${agreement(ts.sampledTokens, pastPresent.sampledTokens)}`);
    }
    if (ort !== null) {
      tokenAgreement.push(`TS vs Python ORT: ${agreement(ts.sampledTokens, ort.sampledTokens)}`);
    }
    if (torch !== null) {
      tokenAgreement.push(`TS vs PyTorch: ${agreement(ts.sampledTokens, torch.sampledTokens)}`);
    }
    const summary: BundleSummary = {
      config: name,
      description: describe(manifest),
      tokens,
      weightBytes: bytes.weightBytes,
      kvCacheBytes: bytes.kvCacheBytes,
      kvReadBytes: bytes.kvReadBytes,
      floorMsPerToken,
      columns,
      ratios: {
        // Speed ratios: the baseline's time per token over ours.
        vsPythonLoop: ratio(pastPresentMs, tsMs),
        vsSameGraphLoop: ratio(ortMs, tsMs),
        vsTorchEager: ratio(torchMs, tsMs),
        stepOverFloor: ratio(tsMs, floorMsPerToken),
      },
      tokenAgreement,
      ...(spec.precision === 'fp32'
        ? {}
        : {
            notes: [
              `${spec.precision} weights, an extra CPU precision: the issue's targets are for the fp32 bundle, and there is no PyTorch run of these weights`,
            ],
          }),
      profile,
    };
    summaries.push(summary);
    raw[name] = {
      bundle: path.relative(root, bundle),
      weightParameters: bytes.weightParameters,
      decodeInitializerBytes: info?.decodeInitializers?.bytes ?? null,
      loadAverageBeforeAfter: loads,
      ts,
      pythonPastPresent: pastPresent,
      pythonOrtPerToken: ort,
      pythonOrtPerTokenDefaults: ortDefaults,
      torchEager: torch,
    };
    log(`${name}: TS decode ${(tsMs ?? NaN).toFixed(1)} ms/token`);
  }

  const loadAfter = os.loadavg();
  const results = {
    date: new Date().toISOString(),
    durationS: Math.round((Date.now() - started) / 1000),
    machine: { ...machineInfo(), loadAverageBefore: loadBefore, loadAverageAfter: loadAfter },
    versions: { node: tsVersions.node, onnxruntimeNode: tsVersions.onnxruntimeNode, ...prefixKeys('python-', pythonVersions) },
    settings: { threads, runs, warmup: 1, decodeTokensPython: decodeTokens, skipTokensPython: skipTokens, prompt, seed: String(seed) },
    bandwidth: {
      definition:
        'read: numpy sum of a 256 MiB float32 array per thread, all threads at once, bytes read / time, best of 5; ' +
        'copy: large Buffer.copy (memcpy), (bytes read + bytes written) / time, best of 5; GB/s = 1e9 B/s',
      numpyRead: reads.map((read) => ({ threads: read.threads, readGBs: round(read.readGBs) })),
      nodeCopy: copies.map((copy) => ({ threads: copy.threads, readWriteGBs: round(copy.readWriteGBs) })),
      numpyCopy1ThreadGBs: round(numpyCopyGBs),
      usedGBs: round(bandwidthGBs),
      floorDefinition:
        'bytes a decode step must read ÷ the higher read bandwidth (1 thread, all threads): GPT weights (every layer, final norm, ' +
        'output head; not the token embedding) + the KV slots it attends to, averaged over the image (prefix + (N + 1) / 2)',
    },
    targets,
    bundles: Object.fromEntries(summaries.map((summary) => [summary.config, { summary, raw: raw[summary.config] }])),
  };
  fs.mkdirSync(path.dirname(outFile), { recursive: true });
  fs.writeFileSync(outFile, `${JSON.stringify(results, null, 2)}\n`);

  const lines = [
    `MENTOR engine benchmark — ${String(machineInfo().cpuModel)}, ${os.availableParallelism()} cores, ${threads} threads, node ${tsVersions.node}, onnxruntime-node ${tsVersions.onnxruntimeNode}` +
      (pythonVersions.onnxruntime !== undefined ? `, python onnxruntime ${pythonVersions.onnxruntime}, torch ${pythonVersions.torch ?? '?'}` : ''),
    `memory bandwidth, read: ${reads.map((read) => `${read.readGBs.toFixed(1)} GB/s with ${read.threads} thread${read.threads === 1 ? '' : 's'}`).join(', ')}` +
      `; copy (read + write): ${copies.map((copy) => `${copy.readWriteGBs.toFixed(1)} GB/s with ${copy.threads} thread${copy.threads === 1 ? '' : 's'}`).join(', ')}` +
      `; the floor uses ${bandwidthGBs.toFixed(1)} GB/s of reads`,
    `load average before/after: ${loadBefore[0]!.toFixed(2)} / ${loadAfter[0]!.toFixed(2)}`,
    '',
  ];
  for (const summary of summaries) {
    lines.push(...bundleTable(summary), '');
  }
  lines.push(`wrote ${path.relative(process.cwd(), outFile) || outFile} in ${results.durationS} s`);
  for (const line of lines) {
    context.stdout(line);
  }
  return 0;
}

function round(value: number): number {
  return Number(value.toFixed(2));
}

function prefixKeys(prefix: string, values: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(values).map(([key, value]) => [`${prefix}${key}`, value]));
}
