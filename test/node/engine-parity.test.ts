// Must-show 1 of the engine issue: on the tiny bundle the TypeScript engine produces the same token
// grid as the Python reference generator (PyTorch, step by step) and the same PNG pixels, for the
// same prompt, references and seed — 10 seeds, one and two references, CFG on — whatever the number of
// tokens per decode call.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generate } from '../../main/engine/generate/generate';
import { encodePng } from '../../main/engine/png/png-encoder';
import { openRuntime, type EngineRuntime } from '../../main/engine/runtime/open-runtime';
import { pythonExecutable, tinyBundle } from '../fixtures/tiny-bundle';
import { repoRoot } from '../fixtures/serve-process';

const seeds = ['0', '1', '2', '7', '42', '1234', '99991', '2147483647', '9223372036854775808', '18446744073709551615'];

type Case = { name: string; prompt: string; images: string[]; sampling: { cfgScale: number; temperature: number; topK: number; topP: number } };
type Reference = { prompt: string; seed: string; tokens: number[]; torchPixels: string; onnxPixels: string };

let runtime: EngineRuntime;
let bundle: string;
const folder = mkdtempSync(path.join(os.tmpdir(), 'engine-parity-'));
const cases: Case[] = [];
let references: Reference[] = [];

/** A 32×32 reference made of noise: already at the bundle's input size, so no resampler is involved. */
async function writeReference(name: string, seed: number): Promise<string> {
  const pixels = Buffer.alloc(32 * 32 * 3);
  let state = seed * 2654435761;
  for (let i = 0; i < pixels.length; i++) {
    state = (state * 1103515245 + 12345) >>> 0;
    pixels[i] = state >>> 24;
  }
  const file = path.join(folder, name);
  writeFileSync(file, await sharp(pixels, { raw: { width: 32, height: 32, channels: 3 } }).png().toBuffer());
  return file;
}

beforeAll(async () => {
  bundle = await tinyBundle();
  runtime = await openRuntime(bundle, { device: 'cpu', threads: 2 });
  const cat = await writeReference('cat.png', 1);
  const hat = await writeReference('hat.png', 2);
  cases.push(
    { name: 'one reference', prompt: 'The cat in <image>. A cat as a pixel-art hero', images: [cat], sampling: { cfgScale: 7.5, temperature: 0.9, topK: 0, topP: 1 } },
    { name: 'two references', prompt: 'The cat in <image>.\nThe hat in <image>.\nThe cat wearing the hat', images: [cat, hat], sampling: { cfgScale: 4, temperature: 1, topK: 50, topP: 0.9 } },
  );
  const input = JSON.stringify({
    bundle,
    config: 'tiny',
    seed: 0,
    cases: cases.map((c) => ({ prompt: c.prompt, images: c.images, seeds, sampling: c.sampling })),
  });
  const stdout = execFileSync(pythonExecutable(), ['-m', 'mentor_models.parity_dump'], {
    cwd: path.join(repoRoot, 'native-models'),
    input,
    maxBuffer: 64 * 1024 * 1024,
  });
  references = (JSON.parse(stdout.toString()) as { results: Reference[] }).results;
}, 600_000);

afterAll(async () => {
  await runtime?.close();
});

describe('TypeScript engine vs the Python reference generator (tiny bundle)', () => {
  it.each([0, 1])('case %i: same tokens and PNG pixels for 10 seeds', async (index) => {
    const c = cases[index]!;
    const distinct = new Set<string>();
    for (const seed of seeds) {
      const reference = references.find((r) => r.prompt === c.prompt && r.seed === seed)!;
      const result = await generate(runtime, {
        prompt: c.prompt,
        references: c.images.map((file) => ({ name: path.basename(file), bytes: readFileSync(file) })),
        seed: BigInt(seed),
        count: 1,
        params: c.sampling,
      });
      expect(Array.from(result.tokens[0]!, Number), `${c.name}, seed ${seed}: tokens`).toEqual(reference.tokens);

      // The PNG the studio writes decodes to exactly the pixels of the bundle's VQ graph on the
      // reference tokens, and to within one level of PyTorch's (rounding at .5 may differ).
      const png = encodePng(result.images[0]!, {});
      const decoded = await sharp(png).raw().toBuffer();
      expect(decoded.equals(Buffer.from(reference.onnxPixels, 'base64')), `${c.name}, seed ${seed}: pixels`).toBe(true);
      const torch = Buffer.from(reference.torchPixels, 'base64');
      let worst = 0;
      for (let i = 0; i < torch.length; i++) {
        worst = Math.max(worst, Math.abs(torch[i]! - decoded[i]!));
      }
      expect(worst).toBeLessThanOrEqual(1);
      distinct.add(reference.tokens.join(','));
    }
    expect(distinct.size).toBe(seeds.length);
  }, 120_000);

  it('gives the same tokens at 1 and 3 tokens per decode call as at one row per call', async () => {
    // Each call hands its new keys and values back to be written into the caches: the split into
    // calls must not show in the tokens (the reference runs one token per step).
    const c = cases[1]!;
    const reference = references.find((r) => r.prompt === c.prompt && r.seed === '42')!;
    for (const tokensPerCall of [1, 3]) {
      const result = await generate(runtime, {
        prompt: c.prompt,
        references: c.images.map((file) => ({ name: path.basename(file), bytes: readFileSync(file) })),
        seed: 42n,
        count: 1,
        params: c.sampling,
        tokensPerCall,
      });
      expect(Array.from(result.tokens[0]!, Number), `${tokensPerCall} tokens per call`).toEqual(reference.tokens);
    }
  }, 120_000);
});
