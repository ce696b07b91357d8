/**
 * Turns the benchmark's raw measurements into the summary (medians, ratios against the issue's
 * targets) and the printed table. Pure functions: the numbers in, text and JSON out.
 */

export const targets = {
  /** TS decode speed ÷ the Python onnxruntime per-token loop (the conventional past/present layout). */
  vsPythonLoop: 1.5,
  /** TS decode speed ÷ the PyTorch eager reference. */
  vsTorchEager: 2,
  /** TS decode step time ÷ the bandwidth floor (at most). */
  stepOverFloor: 1.5,
};

export const stages = ['tokenize', 'references', 'vision', 'textEncoder', 'prefill', 'decode', 'preview', 'vqDecode', 'total'] as const;
export type Stage = (typeof stages)[number];

const stageLabels: Record<Stage, string> = {
  tokenize: 'tokenize',
  references: 'image load + preprocess',
  vision: 'vision',
  textEncoder: 'text encoder',
  prefill: 'prefill',
  decode: 'decode (all tokens)',
  preview: 'preview',
  vqDecode: 'VQ decode',
  total: 'total',
};

/** One measured pipeline (a column of the table). */
export type Column = {
  label: string;
  /** Median per stage over the timed runs, ms; a stage it does not have (or did not reach) is absent. */
  stageMs: Partial<Record<Stage, number>>;
  /** The median decode call's time per token (robust to bursts of other work on the machine). */
  decodeMsPerToken: number | null;
  /** All timed decode calls' time ÷ their tokens. */
  decodeMsPerTokenMean: number | null;
  /** What the decode figure covers, e.g. "tokens 5–52 of 256" when a run stopped early. */
  decodeNote: string | null;
  peakRssBytes: number | null;
  boundaryBytesPerImage: number | null;
};

/** onnxruntime's profiler on one decode call (bench_python.py profile): where a step's time goes. */
export type DecodeProfile = {
  tokensPerCall: number;
  runMsPerToken: number;
  opsMsPerToken: number;
  kernelsPerToken: number;
  ops: { op: string; msPerToken: number; callsPerToken: number }[];
};

export type BundleSummary = {
  config: string;
  description: string;
  tokens: number;
  weightBytes: number;
  kvCacheBytes: number;
  /** KV cache bytes a decode step attends to, on average over the image (part of the floor). */
  kvReadBytes: number;
  floorMsPerToken: number;
  columns: Column[];
  ratios: {
    vsPythonLoop: number | null;
    /** Information, no target: ÷ decode.onnx called once per token from Python (the same graph). */
    vsSameGraphLoop: number | null;
    vsTorchEager: number | null;
    stepOverFloor: number | null;
  };
  tokenAgreement: string[];
  /** Lines printed under the verdicts (what a ratio of this bundle does and does not say). */
  notes?: string[];
  profile: DecodeProfile | null;
};

export function median(values: readonly number[]): number {
  if (values.length === 0) {
    return NaN;
  }
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** Median of each stage over runs (a stage missing from every run stays absent). */
export function medianStages(runs: readonly Record<string, number>[]): Partial<Record<Stage, number>> {
  const out: Partial<Record<Stage, number>> = {};
  for (const stage of stages) {
    const values = runs.map((run) => run[stage]).filter((value): value is number => typeof value === 'number');
    if (values.length > 0) {
      out[stage] = median(values);
    }
  }
  return out;
}

/** How far two token sequences agree: "all 256 equal" or "equal up to token 37 (of 52 compared)". */
export function agreement(a: readonly number[], b: readonly number[]): string {
  const n = Math.min(a.length, b.length);
  if (n === 0) {
    return 'nothing to compare';
  }
  for (let i = 0; i < n; i++) {
    if (a[i] !== b[i]) {
      return `first ${i} equal, differ from token ${i} (of ${n} compared)`;
    }
  }
  return `all ${n} compared equal`;
}

export function ratio(numerator: number | null, denominator: number | null): number | null {
  if (numerator === null || denominator === null || !(denominator > 0) || !Number.isFinite(numerator)) {
    return null;
  }
  return numerator / denominator;
}

export function formatMs(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) {
    return '—';
  }
  if (ms >= 10_000) {
    return `${(ms / 1000).toFixed(1)} s`;
  }
  if (ms >= 100) {
    return ms.toFixed(0);
  }
  if (ms >= 10) {
    return ms.toFixed(1);
  }
  return ms.toFixed(2);
}

export function formatBytes(bytes: number | null | undefined): string {
  if (bytes === null || bytes === undefined || !Number.isFinite(bytes)) {
    return '—';
  }
  if (bytes >= 1e9) {
    return `${(bytes / 1e9).toFixed(2)} GB`;
  }
  if (bytes >= 1e6) {
    return `${(bytes / 1e6).toFixed(bytes >= 1e8 ? 0 : 1)} MB`;
  }
  if (bytes >= 1e3) {
    return `${(bytes / 1e3).toFixed(0)} KB`;
  }
  return `${bytes} B`;
}

function formatRatio(value: number | null): string {
  return value === null ? '—' : `${value.toFixed(2)}×`;
}

function verdict(value: number | null, target: number, atLeast: boolean): string {
  if (value === null) {
    return 'not measured';
  }
  const met = atLeast ? value >= target : value <= target;
  if (met) {
    return `met (target ${atLeast ? '≥' : '≤'} ${target}×)`;
  }
  const by = atLeast ? target / value : value / target;
  return `MISSED by ${by.toFixed(2)}× (target ${atLeast ? '≥' : '≤'} ${target}×)`;
}

function table(rows: string[][]): string[] {
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((row) => (row[c] ?? '').length)));
  return rows.map((row) => row.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join('  ').trimEnd());
}

export function bundleTable(summary: BundleSummary): string[] {
  const header = ['', ...summary.columns.map((column) => column.label)];
  const rows: string[][] = [header];
  for (const stage of stages) {
    rows.push([`${stageLabels[stage]} (ms)`, ...summary.columns.map((column) => formatMs(column.stageMs[stage]))]);
  }
  rows.push(['decode ms / token, median call', ...summary.columns.map((column) => formatMs(column.decodeMsPerToken))]);
  rows.push(['decode ms / token, mean', ...summary.columns.map((column) => formatMs(column.decodeMsPerTokenMean))]);
  rows.push([
    'decode tokens / s (median)',
    ...summary.columns.map((column) => (column.decodeMsPerToken === null ? '—' : (1000 / column.decodeMsPerToken).toFixed(1))),
  ]);
  rows.push(['peak RSS', ...summary.columns.map((column) => formatBytes(column.peakRssBytes))]);
  rows.push(['JS/Python boundary / image', ...summary.columns.map((column) => formatBytes(column.boundaryBytesPerImage))]);
  const notes = summary.columns.filter((column) => column.decodeNote !== null).map((column) => `  ${column.label}: decode measured over ${column.decodeNote}`);
  return [
    `${summary.config}: ${summary.description}`,
    `  read per decode step: weights ${formatBytes(summary.weightBytes)} + KV ${formatBytes(summary.kvReadBytes)} (average; all caches ${formatBytes(summary.kvCacheBytes)}); ` +
      `floor ${formatMs(summary.floorMsPerToken)} ms / token`,
    ...table(rows).map((line) => `  ${line}`),
    ...notes,
    '  boundary: TS engine as generate() counts it (bytes into and out of onnxruntime; the caches go in by reference every call); ' +
      'past/present as its calls measured them (every past in, every present out); the 1 tok/call columns computed as the caches and logits in, logits and one cache slot out, per token',
    `  TS decode speed ÷ Python ORT per-token loop (past/present):        ${formatRatio(summary.ratios.vsPythonLoop)}  ${verdict(summary.ratios.vsPythonLoop, targets.vsPythonLoop, true)}`,
    `  TS decode speed ÷ Python ORT, decode.onnx 1 token per call:        ${formatRatio(summary.ratios.vsSameGraphLoop)}  (same graph; no target)`,
    `  TS decode speed ÷ PyTorch eager reference:                         ${formatRatio(summary.ratios.vsTorchEager)}  ${verdict(summary.ratios.vsTorchEager, targets.vsTorchEager, true)}`,
    `  TS decode step ÷ bandwidth floor:                                  ${formatRatio(summary.ratios.stepOverFloor)}  ${verdict(summary.ratios.stepOverFloor, targets.stepOverFloor, false)}`,
    ...(summary.weightBytes < 50e6
      ? [`  (${formatBytes(summary.weightBytes)} of weights: this model is bound by per-kernel overhead, not memory; the targets are meant for the GPT-B-sized bundle)`]
      : []),
    ...(summary.notes ?? []).map((line) => `  (${line})`),
    ...summary.tokenAgreement.map((line) => `  tokens: ${line}`),
    ...profileLines(summary.profile),
  ];
}

export function profileLines(profile: DecodeProfile | null): string[] {
  if (profile === null) {
    return [];
  }
  const top = profile.ops.slice(0, 6).map((op) => `${op.op} ${formatMs(op.msPerToken)} (${Math.round(op.callsPerToken)}×)`);
  return [
    `  decode step by operator (onnxruntime profiler, ${profile.tokensPerCall} tokens per call, ms per token): ` +
      `${formatMs(profile.runMsPerToken)} in all, ${Math.round(profile.kernelsPerToken)} kernels`,
    `    ${top.join(', ')}`,
  ];
}
