/**
 * The benchmark's bundles, exported once with random weights and cached in bench/.cache/ under the hash
 * of the exporter's sources (native-models/mentor_models/**\/*.py): a changed exporter gets fresh
 * bundles, an unchanged one is reused. Exports go to a temporary folder renamed into place, so an
 * interrupted export never looks finished.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { encodePng } from '../../engine/png/png-encoder';
import { collectOutput, stderrTail } from './child-output';

/** Python files that do not change what the exporter writes (the benchmark's own side). */
const notExporter = new Set(['bench_python.py', 'past_present_baseline.py']);

function pythonFiles(folder: string): string[] {
  const out: string[] = [];
  for (const entry of fs.readdirSync(folder, { withFileTypes: true })) {
    const full = path.join(folder, entry.name);
    if (entry.isDirectory()) {
      if (entry.name !== '__pycache__') {
        out.push(...pythonFiles(full));
      }
    } else if (entry.name.endsWith('.py') && !notExporter.has(entry.name)) {
      out.push(full);
    }
  }
  return out;
}

export function exporterKey(packageDir: string): string {
  const hash = createHash('sha256');
  for (const file of pythonFiles(packageDir).sort()) {
    hash.update(path.relative(packageDir, file).split(path.sep).join('/'));
    hash.update('\0');
    hash.update(fs.readFileSync(file));
    hash.update('\0');
  }
  return hash.digest('hex').slice(0, 16);
}

export function venvPython(root: string): string {
  const python =
    process.platform === 'win32'
      ? path.join(root, 'native-models', '.venv', 'Scripts', 'python.exe')
      : path.join(root, 'native-models', '.venv', 'bin', 'python');
  if (!fs.existsSync(python)) {
    throw new Error(`${python} is missing: run npm run setup:python first (the benchmark exports its bundles and runs its baselines with it)`);
  }
  return python;
}

/** Runs the venv's Python in native-models/; resolves stdout, rejects with the end of stderr. */
export async function runPython(root: string, args: string[], options: { echo?: (line: string) => void } = {}): Promise<string> {
  const child = spawn(venvPython(root), args, {
    cwd: path.join(root, 'native-models'),
    env: { ...process.env, PYTHONIOENCODING: 'utf-8', PYTHONUNBUFFERED: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const { code, stdout, stderr } = await collectOutput(child);
  if (options.echo !== undefined) {
    for (const line of stdout.split('\n').filter((l) => l.startsWith('export:'))) {
      options.echo(line);
    }
  }
  if (code !== 0) {
    throw new Error(`python ${args.slice(0, 2).join(' ')} failed (exit ${code}): ${stderrTail(stderr, 3)}`);
  }
  return stdout;
}

/** A benchmark bundle: `tiny`, `b`, or a quantized one named `<config>-<precision>` (`b-int4`). */
export type BenchBundleSpec = { name: string; config: string; precision: 'fp32' | 'int8' | 'int4' };

export function benchBundleSpec(name: string): BenchBundleSpec {
  const match = /^(tiny|b)(?:-(int8|int4))?$/.exec(name);
  if (match === null) {
    throw new Error(`unknown bundle ${JSON.stringify(name)} (known: tiny, b, tiny-int8, tiny-int4, b-int8, b-int4)`);
  }
  return { name, config: match[1]!, precision: (match[2] as 'int8' | 'int4' | undefined) ?? 'fp32' };
}

/** Removes `<name>-<key>` folders of other exporter keys (and unfinished `.<name>-…` ones) from `cacheDir`. */
export function dropStale(cacheDir: string, name: string, keep: string): void {
  // Exactly this name: `b-<key>` must not match `b-int4-<key>`.
  const ours = new RegExp(`^\\.?${name}-[0-9a-f]{16}(-\\d+)?$`);
  for (const entry of fs.readdirSync(cacheDir)) {
    if (ours.test(entry) && entry !== keep) {
      fs.rmSync(path.join(cacheDir, entry), { recursive: true, force: true });
    }
  }
}

/** The cached bundle for `spec`, exporting it first when missing or stale. */
export async function benchBundle(root: string, cacheDir: string, spec: BenchBundleSpec, log: (line: string) => void): Promise<string> {
  const key = exporterKey(path.join(root, 'native-models', 'mentor_models'));
  const target = path.join(cacheDir, `${spec.name}-${key}`);
  if (fs.existsSync(path.join(target, 'manifest.json'))) {
    return target;
  }
  fs.mkdirSync(cacheDir, { recursive: true });
  // Bundles of an older exporter are a gigabyte each: drop them.
  dropStale(cacheDir, spec.name, path.basename(target));
  const work = path.join(cacheDir, `.${spec.name}-${key}-${process.pid}`);
  fs.rmSync(work, { recursive: true, force: true });
  log(`exporting the ${spec.name} bundle (random weights, seed 0) into ${path.relative(root, target)} …`);
  const started = Date.now();
  try {
    await runPython(root, ['-m', 'mentor_models.export', '--random-init', '--config', spec.config, '--precision', spec.precision, '--out', work]);
    fs.renameSync(work, target);
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
  log(`exported ${spec.name} in ${((Date.now() - started) / 1000).toFixed(0)} s`);
  return target;
}

/**
 * The conventional past/present step graph for a cached bench bundle (past_present_baseline.py), on the
 * same random weights (seed 0, quantized as the bundle is), exported once into the bundle's cache folder
 * under the hash of the baseline's source.
 */
export async function pastPresentBaseline(root: string, bundle: string, spec: BenchBundleSpec, log: (line: string) => void): Promise<string> {
  const source = path.join(root, 'native-models', 'mentor_models', 'past_present_baseline.py');
  const key = createHash('sha256').update(fs.readFileSync(source)).digest('hex').slice(0, 12);
  const target = path.join(bundle, `past-present-${key}.onnx`);
  if (fs.existsSync(target)) {
    return target;
  }
  for (const entry of fs.readdirSync(bundle)) {
    if (entry.startsWith('past-present-')) {
      fs.rmSync(path.join(bundle, entry), { force: true });
    }
  }
  const work = `${target}.${process.pid}.partial`;
  log(`exporting the ${spec.name} past/present baseline graph (same weights) …`);
  try {
    await runPython(root, [
      '-m', 'mentor_models.past_present_baseline', 'export', '--config', spec.config, '--seed', '0', '--precision', spec.precision, '--out', work,
    ]);
    fs.renameSync(work, target);
  } finally {
    fs.rmSync(work, { force: true });
  }
  return target;
}

/** A deterministic 256×256 reference photo stand-in (smooth gradients plus a little texture). */
export function benchReferenceImage(cacheDir: string): string {
  const file = path.join(cacheDir, 'reference-256.png');
  if (!fs.existsSync(file)) {
    const side = 256;
    const data = new Uint8Array(side * side * 3);
    for (let y = 0; y < side; y++) {
      for (let x = 0; x < side; x++) {
        const i = (y * side + x) * 3;
        const texture = ((x * 7919 + y * 104729) % 31) - 15;
        data[i] = Math.max(0, Math.min(255, x + texture));
        data[i + 1] = Math.max(0, Math.min(255, y + texture));
        data[i + 2] = Math.max(0, Math.min(255, 255 - ((x + y) >> 1) + texture));
      }
    }
    fs.mkdirSync(cacheDir, { recursive: true });
    fs.writeFileSync(file, encodePng({ width: side, height: side, data }));
  }
  return file;
}
