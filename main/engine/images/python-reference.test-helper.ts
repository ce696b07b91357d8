/**
 * Runs native-models' Python preprocessing (Pillow + numpy) on image files, for parity tests: one
 * Python process per batch of jobs, results read back as raw bytes. Returns null (with the reason)
 * when the venv is missing, so tests can skip and say why.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { PreprocessSpec } from '../types';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const nativeModels = path.join(repoRoot, 'native-models');
export const venvPython = path.join(nativeModels, '.venv', 'bin', 'python');

export type PythonJob =
  /** preprocess.preprocess(Image.open(file), spec) → float32 [3, size, size] */
  | { kind: 'preprocess'; file: string; spec: PreprocessSpec }
  /** preprocess.to_rgb(Image.open(file)) → uint8 [h, w, 3] */
  | { kind: 'toRgb'; file: string }
  /** Image.open(file).convert('RGB').resize((width, height), BICUBIC) → uint8 [h, w, 3] */
  | { kind: 'resize'; file: string; width: number; height: number };

const script = `
import json, sys
import numpy as np
from PIL import Image
from mentor_models.preprocess import preprocess, to_rgb
jobs = json.load(sys.stdin)
for job in jobs:
    image = Image.open(job["file"])
    if job["kind"] == "preprocess":
        out = preprocess(image, job["spec"])
        assert out.dtype == np.float32
    elif job["kind"] == "toRgb":
        out = np.asarray(to_rgb(image), dtype=np.uint8)
    else:
        out = np.asarray(image.convert("RGB").resize((job["width"], job["height"]), Image.Resampling.BICUBIC), dtype=np.uint8)
    with open(job["out"], "wb") as f:
        f.write(np.ascontiguousarray(out).tobytes())
`;

export function pythonUnavailable(): string | null {
  return fs.existsSync(venvPython) ? null : `native-models venv missing (${venvPython}); run npm run setup:python`;
}

/** Runs the jobs; each result is the raw output bytes (float32 for preprocess, uint8 otherwise). */
export function runPython(jobs: PythonJob[]): Buffer[] {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mentor-py-'));
  try {
    const withOut = jobs.map((job, i) => ({ ...job, out: path.join(dir, `${i}.bin`) }));
    execFileSync(venvPython, ['-c', script], {
      input: JSON.stringify(withOut),
      cwd: nativeModels,
      env: { ...process.env, PYTHONPATH: nativeModels },
      stdio: ['pipe', 'pipe', 'pipe'],
      timeout: 60_000,
    });
    return withOut.map((job) => fs.readFileSync(job.out));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

export function asFloat32(bytes: Buffer): Float32Array {
  const copy = new Uint8Array(bytes);
  return new Float32Array(copy.buffer, 0, copy.length / 4);
}
