// The built `mentor` command (out/main/cli.cjs, built once by test/node/build-once.ts) run as a
// process on the tiny bundle: what a person at a terminal sees.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { removeTemporaryFolders, temporaryFolder, tinyBundle } from '../../test/fixtures/tiny-bundle';
import { encodePng, readPngText } from '../engine/png/png-encoder';

const root = path.resolve(__dirname, '..', '..');
const cli = path.join(root, 'out', 'main', 'cli.cjs');
const prompt = 'The cat in <image>. A cat as a pixel-art hero';

let bundle: string;
let folder: string;
let reference: string;

type Run = { status: number | null; stdout: string; stderr: string };

function mentor(...args: string[]): Run {
  const result = spawnSync(process.execPath, [cli, ...args], { cwd: folder, encoding: 'utf8', timeout: 60_000 });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** Exit status ≠ 0 and exactly one stderr line, `mentor: …`, with no stack trace. */
function expectOneErrorLine(run: Run, pattern: RegExp): void {
  expect(run.status).not.toBe(0);
  const lines = run.stderr.split('\n').filter((line) => line !== '');
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(/^mentor: /);
  expect(lines[0]).toMatch(pattern);
  expect(run.stderr).not.toMatch(/\n\s+at /);
}

beforeAll(async () => {
  bundle = await tinyBundle();
  folder = temporaryFolder('mentor-cli-test-');
  const side = 32;
  const data = new Uint8Array(side * side * 3).map((_, i) => (i * 37) % 256);
  reference = path.join(folder, 'reference.png');
  fs.writeFileSync(reference, encodePng({ width: side, height: side, data }));
}, 120_000);

afterAll(() => {
  removeTemporaryFolders();
});

describe('mentor generate', () => {
  it('writes a PNG with the generation in its text chunks, progress on stderr', () => {
    const out = path.join(folder, 'cat.png');
    const run = mentor('generate', '--bundle', bundle, '--image', reference, '--prompt', prompt, '--seed', '42', '--out', out);
    expect(run.stderr).toMatch(/^row 1\/8 .* tok\/s .*eta/m);
    expect(run.stderr).toMatch(/^row 8\/8 /m);
    expect(run.status).toBe(0);
    expect(run.stdout.trim()).toBe(out);
    const bytes = fs.readFileSync(out);
    expect(bytes.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
    const meta = JSON.parse(readPngText(bytes).mentor ?? '{}') as { seed: string; prompt: string; width: number; references: string[] };
    expect(meta).toMatchObject({ seed: '42', prompt, width: 32 });
    expect(meta.references).toHaveLength(1);
    expect(readPngText(bytes).parameters).toContain('Seed: 42');
    // Same seed, same image bytes.
    const again = path.join(folder, 'again.png');
    expect(mentor('generate', '--bundle', bundle, '--image', reference, '--prompt', prompt, '--seed', '42', '--out', again).status).toBe(0);
    expect(fs.readFileSync(again).equals(bytes)).toBe(true);
  });

  it('numbers the files of several variations and prints a random seed', () => {
    const run = mentor('generate', '--bundle', bundle, '--prompt', 'A cat', '--count', '2', '--out', 'var.png', '--temperature', '0');
    expect(run.status).toBe(0);
    expect(run.stdout.trim().split('\n')).toEqual(['var-1.png', 'var-2.png']);
    expect(run.stderr).toMatch(/^seed \d+ \(random\)$/m);
    expect(fs.existsSync(path.join(folder, 'var-2.png'))).toBe(true);
  });

  it('refuses a missing --prompt', () => {
    expectOneErrorLine(mentor('generate', '--bundle', bundle, '--out', 'x.png'), /--prompt is required/);
  });

  it('names an unknown flag and a flag without its value', () => {
    expectOneErrorLine(mentor('generate', '--bundle', bundle, '--prompt', 'A cat', '--out', 'x.png', '--sed', '1'), /unknown option --sed/);
    expectOneErrorLine(mentor('generate', '--bundle', bundle, '--prompt', 'A cat', '--out', 'x.png', '--seed'), /--seed needs a value/);
  });

  it('names a missing image file', () => {
    const missing = path.join(folder, 'nope.png');
    expectOneErrorLine(mentor('generate', '--bundle', bundle, '--image', missing, '--prompt', prompt, '--out', 'x.png'), new RegExp(`${missing}: no such file`));
  });

  it('refuses a corrupt image, naming it', () => {
    const corrupt = path.join(folder, 'corrupt.png');
    fs.writeFileSync(corrupt, fs.readFileSync(reference).subarray(0, 60));
    expectOneErrorLine(mentor('generate', '--bundle', bundle, '--image', corrupt, '--prompt', prompt, '--out', 'x.png'), /corrupt\.png/);
    expect(fs.existsSync(path.join(folder, 'x.png'))).toBe(false);
  });

  it('passes the engine’s own messages through (a prompt whose markers do not match its images)', () => {
    expectOneErrorLine(mentor('generate', '--bundle', bundle, '--image', reference, '--prompt', 'A cat', '--out', 'x.png'), /<image>/);
  });

  it('refuses out-of-range sampling values and a bad seed before loading anything', () => {
    expectOneErrorLine(mentor('generate', '--bundle', bundle, '--prompt', 'A cat', '--out', 'x.png', '--top-p', '0'), /--top-p must be > 0/);
    expectOneErrorLine(mentor('generate', '--bundle', bundle, '--prompt', 'A cat', '--out', 'x.png', '--seed', '18446744073709551616'), /--seed/);
  });
});

describe('mentor inspect', () => {
  it('prints the manifest summary and verifies the hashes', () => {
    const run = mentor('inspect', bundle);
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/^name\s+gpt-tiny-random-init$/m);
    expect(run.stdout).toMatch(/^format\s+mentor-bundle v2/m);
    expect(run.stdout).toMatch(/^precision\s+fp32/m);
    expect(run.stdout).toMatch(/^image\s+32×32 px, grid 8×8 = 64 tokens$/m);
    expect(run.stdout).toMatch(/^prefix\s+64 tokens, 16 per reference image/m);
    expect(run.stdout).toMatch(/^codebook\s+512 codes$/m);
    expect(run.stdout).toMatch(/^RoPE\s+mentor$/m);
    expect(run.stdout).toMatch(/^sampling\s+cfg 7\.5, temperature 0\.9, top-k 0, top-p 1$/m);
    expect(run.stdout).toMatch(/^sources\s+random-init \(seed 0\)$/m);
    expect(run.stdout).toMatch(/^\s+decode\.onnx\s+.+ ok$/m);
    expect(run.stdout).toMatch(/^hashes\s+verified/m);
  });

  it('says which file does not match, and exits 1', () => {
    const copy = temporaryFolder('mentor-cli-damaged-');
    fs.cpSync(bundle, copy, { recursive: true });
    const file = path.join(copy, 'vision.onnx');
    const bytes = fs.readFileSync(file);
    bytes[bytes.length - 1] = bytes[bytes.length - 1]! ^ 0xff;
    fs.writeFileSync(file, bytes);
    const run = mentor('inspect', copy);
    expect(run.status).toBe(1);
    expect(run.stdout).toMatch(/vision\.onnx .*sha256 differs/);
    expect(run.stdout).toMatch(/^hashes\s+1 of 6 files do not match$/m);
  });

  it('names a folder that is not a bundle', () => {
    expectOneErrorLine(mentor('inspect', folder), /no manifest\.json/);
  });
});

describe('mentor bench', () => {
  it('measures the TS engine on a bundle as one JSON object (the part the benchmark runs in a child process)', () => {
    const run = mentor(
      'bench', '--engine-only', '--bundle', bundle, '--image', reference, '--prompt', prompt, '--seed', '42',
      '--threads', '1', '--runs', '1', '--warmup', '0', '--extra-tokens-per-call', '1', '--extra-decode-calls', '8',
    );
    expect(run.status).toBe(0);
    const result = JSON.parse(run.stdout) as {
      tokens: number;
      runs: { decodeMsPerToken: number; boundaryBytes: number; timings: Record<string, number> }[];
      extra: { decodeTokensMeasured: number; decodeMsPerToken: number };
      peakRssBytes: number;
      sampledTokens: number[];
    };
    expect(result.tokens).toBe(64);
    expect(result.runs).toHaveLength(1);
    expect(result.runs[0]!.decodeMsPerToken).toBeGreaterThan(0);
    expect(result.runs[0]!.boundaryBytes).toBeGreaterThan(0);
    expect(Object.keys(result.runs[0]!.timings)).toEqual(expect.arrayContaining(['tokenize', 'vision', 'textEncoder', 'prefill', 'decode', 'vqDecode', 'total']));
    expect(result.extra.decodeTokensMeasured).toBe(8);
    expect(result.peakRssBytes).toBeGreaterThan(10_000_000);
    expect(result.sampledTokens).toHaveLength(64);
  });

  it('names an unknown bundle', () => {
    expectOneErrorLine(mentor('bench', '--bundles', 'xl'), /unknown bundle "xl"/);
  });
});

describe('mentor', () => {
  it('shows usage, and refuses an unknown command', () => {
    expect(mentor('--help').stdout).toMatch(/generate.*\n.*inspect.*\n.*bench/);
    expectOneErrorLine(mentor('frobnicate'), /unknown command "frobnicate"/);
    expect(mentor('generate', '--help').stdout).toContain('--top-k N');
  });
});
