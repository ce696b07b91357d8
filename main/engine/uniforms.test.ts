import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  generatorName,
  maxSeed,
  parseSeed,
  splitmixAt,
  uniform,
  uniformKey,
  uniformNumerator,
  uniformsFor,
} from './uniforms';

// One vectors file for both languages; native-models/tests/test_uniforms.py reads it too.
type VectorCase = {
  seed: string;
  image: string;
  token: string;
  seed_state: string;
  image_state: string;
  key: string;
  numerator: number;
  uniform: number;
};
type VectorRun = { seed: string; image: string; start_token: string; count: number; numerators: number[] };
type Vectors = {
  generator: string;
  splitmix64_seed0_first_outputs: string[];
  cases: VectorCase[];
  runs: VectorRun[];
};

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const vectorsPath = path.join(repoRoot, 'native-models/spec/uniforms-vectors.json');
const vectors = JSON.parse(fs.readFileSync(vectorsPath, 'utf8')) as Vectors;
const maxSafe = BigInt(Number.MAX_SAFE_INTEGER);

describe('uniforms vectors', () => {
  it('is the generator the file describes', () => {
    expect(vectors.generator).toBe(generatorName);
    expect(vectors.cases.length).toBeGreaterThanOrEqual(40);
  });

  it('reproduces the published SplitMix64 outputs for seed 0', () => {
    const outputs = [0n, 1n, 2n].map((n) => `0x${splitmixAt(0n, n).toString(16).padStart(16, '0')}`);
    expect(outputs).toEqual(vectors.splitmix64_seed0_first_outputs);
    expect(outputs).toEqual(['0xe220a8397b1dcdaf', '0x6e789e6aa1b965f4', '0x06c45d188009454f']);
  });

  it.each(vectors.cases.map((c) => [`${c.seed}/${c.image}/${c.token}`, c] as const))('case %s', (_name, c) => {
    const seed = BigInt(c.seed);
    const image = BigInt(c.image);
    const token = BigInt(c.token);
    expect(parseSeed(c.seed)).toBe(seed);
    expect(splitmixAt(seed, 0n)).toBe(BigInt(c.seed_state));
    expect(splitmixAt(BigInt(c.seed_state), image)).toBe(BigInt(c.image_state));
    expect(uniformKey(seed, image, token)).toBe(BigInt(c.key));
    expect(uniformNumerator(seed, image, token)).toBe(c.numerator);
    expect(c.uniform).toBe(c.numerator / 2 ** 24);
    if (image <= maxSafe && token <= maxSafe) {
      const u = uniform(seed, Number(image), Number(token));
      expect(u).toBe(c.uniform);
      expect(Math.fround(u)).toBe(u);
      expect(uniformsFor(seed, Number(image), Number(token), 1)[0]).toBe(c.uniform);
    }
  });

  it.each(vectors.runs.map((r) => [`${r.seed}/${r.image}/${r.start_token}`, r] as const))('run %s', (_name, r) => {
    const out = uniformsFor(BigInt(r.seed), Number(r.image), Number(r.start_token), r.count);
    expect(out).toBeInstanceOf(Float32Array);
    expect(Array.from(out)).toEqual(r.numerators.map((n) => n / 2 ** 24));
  });
});

describe('uniformsFor', () => {
  it('equals uniform() token by token, and a resumed run continues the straight one', () => {
    const seed = (1n << 63n) + 12345n;
    const straight = uniformsFor(seed, 2, 100, 40);
    expect(Array.from(straight)).toEqual(Array.from({ length: 40 }, (_, j) => uniform(seed, 2, 100 + j)));
    expect(Array.from(uniformsFor(seed, 2, 130, 10))).toEqual(Array.from(straight.subarray(30)));
    expect(uniformsFor(seed, 0, 0, 0)).toHaveLength(0);
  });

  it('stays in [0, 1) and looks uniform', () => {
    const out = uniformsFor(1234n, 0, 0, 8192);
    let sum = 0;
    for (const u of out) {
      expect(u).toBeGreaterThanOrEqual(0);
      expect(u).toBeLessThan(1);
      sum += u;
    }
    expect(Math.abs(sum / out.length - 0.5)).toBeLessThan(0.01);
  });

  it('rejects bad seeds and indices', () => {
    expect(() => uniformsFor(-1n, 0, 0, 1)).toThrow(/seed/);
    expect(() => uniformsFor(maxSeed + 1n, 0, 0, 1)).toThrow(/seed/);
    expect(() => uniformsFor(0n, -1, 0, 1)).toThrow(/image/);
    expect(() => uniformsFor(0n, 0, 0.5, 1)).toThrow(/startToken/);
    expect(() => uniformsFor(0n, 0, 0, Number.NaN)).toThrow(/count/);
    expect(() => uniformsFor(0n, 0, Number.MAX_SAFE_INTEGER, 2)).toThrow(/2\^53/);
    expect(() => uniform(0n, 0, 2 ** 53)).toThrow(/token/);
    expect(() => uniformKey(0n, 1n << 64n, 0n)).toThrow(/image/);
  });
});

describe('parseSeed', () => {
  it('takes decimal text over the whole unsigned 64-bit range', () => {
    expect(parseSeed('0')).toBe(0n);
    expect(parseSeed('42')).toBe(42n);
    expect(parseSeed('18446744073709551615')).toBe(maxSeed);
  });

  it.each(['', '-1', '+1', ' 1', '1 ', '01', '1_000', '1e3', '0x10', '1.0', '18446744073709551616', '\u0665'])(
    'rejects %j',
    (text) => {
      expect(() => parseSeed(text)).toThrow(/seed/);
    },
  );
});
