/**
 * `mentor inspect DIR`: what a bundle is (from its manifest) and whether its files are the ones the
 * manifest lists (size and sha256 of each). Exit 0 when every file verifies, 1 when one does not.
 */
import fs from 'node:fs';
import path from 'node:path';
import { sha256File } from '../engine/bundle/hash-cache';
import type { BundleManifest } from '../engine/bundle/manifest-schema';
import { manifestFileName, parseManifest } from '../engine/bundle/manifest-schema';
import { EngineError } from '../engine/errors';
import { parseArgs, UsageError } from './args';
import type { CliContext } from './context';

export const inspectUsage = `usage: mentor inspect DIR
  prints the bundle's manifest summary and checks every file's size and sha256`;

export function formatBytes(bytes: number): string {
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit++;
  }
  return unit === 0 ? `${bytes} B` : `${value.toFixed(value >= 100 ? 0 : 1)} ${units[unit]}`;
}

export function readManifest(dir: string): BundleManifest {
  const file = path.join(dir, manifestFileName);
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') {
      const folderExists = fs.existsSync(dir) && fs.statSync(dir).isDirectory();
      throw new EngineError('bundle_invalid', folderExists ? `${dir}: no ${manifestFileName} (not a bundle folder)` : `${dir}: no such folder`);
    }
    throw new EngineError('bundle_invalid', `${file}: ${(error as Error).message}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new EngineError('bundle_invalid', `${file}: not valid JSON (${(error as Error).message})`);
  }
  return parseManifest(json, file);
}

export type FileCheck = { path: string; bytes: number; ok: boolean; problem: string | null };

export async function verifyFiles(dir: string, manifest: BundleManifest): Promise<FileCheck[]> {
  const checks: FileCheck[] = [];
  for (const entry of manifest.files) {
    const file = path.join(dir, entry.path);
    let problem: string | null = null;
    let stat: fs.Stats | null = null;
    try {
      stat = fs.statSync(file);
    } catch {
      problem = 'missing';
    }
    if (stat !== null && stat.size !== entry.bytes) {
      problem = `${stat.size} bytes, the manifest says ${entry.bytes}`;
    } else if (stat !== null && (await sha256File(file)) !== entry.sha256) {
      problem = 'sha256 differs from the manifest (changed or damaged)';
    }
    checks.push({ path: entry.path, bytes: entry.bytes, ok: problem === null, problem });
  }
  return checks;
}

function num(value: unknown): string {
  return typeof value === 'number' || typeof value === 'string' ? String(value) : '?';
}

export function summaryLines(manifest: BundleManifest): string[] {
  const { config, sampling } = manifest;
  const gpt = config.gpt as Record<string, unknown>;
  const precisions = Object.entries(manifest.graphPrecision)
    .filter(([, precision]) => precision !== manifest.precision)
    .map(([graph, precision]) => `${graph} ${precision}`);
  const sources = manifest.sources.map((source) => {
    const { role, ...rest } = source;
    const detail = Object.entries(rest)
      .map(([key, value]) => `${key} ${typeof value === 'string' && /^[0-9a-f]{64}$/.test(value) ? value.slice(0, 12) + '…' : JSON.stringify(value)}`)
      .join(', ');
    return `${role}${detail === '' ? '' : ` (${detail})`}`;
  });
  return [
    `name            ${manifest.name}`,
    `format          ${manifest.format} v${manifest.formatVersion} (exported ${manifest.createdAt} by ${manifest.exporter.name} ${manifest.exporter.version})`,
    `precision       ${manifest.precision}${precisions.length > 0 ? ` (${precisions.join(', ')})` : ''}, KV cache ${manifest.kvDtype}`,
    `image           ${config.imageSize}×${config.imageSize} px, grid ${config.grid}×${config.grid} = ${config.grid * config.grid} tokens`,
    `prefix          ${config.prefixLength} tokens, ${config.tokensPerImage} per reference image, encoder width ${config.encoderWidth}`,
    `codebook        ${config.codebookSize} codes`,
    `GPT             ${num(gpt.n_layer)} layers, width ${num(gpt.dim)}, ${num(gpt.n_head)} heads, KV cache ${config.kvCacheLength} positions`,
    `RoPE            ${config.ropeVariant}`,
    `sampling        cfg ${sampling.cfgScale}, temperature ${sampling.temperature}, top-k ${sampling.topK}, top-p ${sampling.topP}`,
    `sources         ${sources.join('; ') || '(none listed)'}`,
    ...(manifest.notes ?? []).map((note, i) => `${i === 0 ? 'notes           ' : '                '}${note}`),
  ];
}

export async function runInspect(argv: readonly string[], context: CliContext): Promise<number> {
  const args = parseArgs(argv, { help: { type: 'boolean' } });
  if (args.flags.has('help')) {
    context.stdout(inspectUsage);
    return 0;
  }
  if (args.positionals.length !== 1) {
    throw new UsageError(args.positionals.length === 0 ? 'inspect needs the bundle folder: mentor inspect DIR' : 'inspect takes one bundle folder');
  }
  const dir = args.positionals[0]!;
  const manifest = readManifest(dir);
  for (const line of summaryLines(manifest)) {
    context.stdout(line);
  }
  const checks = await verifyFiles(dir, manifest);
  const total = checks.reduce((sum, check) => sum + check.bytes, 0);
  context.stdout(`files           ${checks.length}, ${formatBytes(total)}`);
  const width = Math.max(...checks.map((check) => check.path.length));
  for (const check of checks) {
    context.stdout(`  ${check.path.padEnd(width)}  ${formatBytes(check.bytes).padStart(8)}  ${check.ok ? 'ok' : check.problem}`);
  }
  const bad = checks.filter((check) => !check.ok);
  context.stdout(bad.length === 0 ? 'hashes          verified (every file matches its sha256)' : `hashes          ${bad.length} of ${checks.length} files do not match`);
  return bad.length === 0 ? 0 : 1;
}
