// A re-run of one variation is a batch of one that starts at that variation (generations:rerun): on the
// tiny bundle it must give the same tokens and pixels as that variation gave inside its batch.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openRuntime, type EngineRuntime } from '../runtime/open-runtime';
import { tinyBundle } from '../../../test/fixtures/tiny-bundle';
import { checkRequest } from './check-request';
import { generate } from './generate';

let runtime: EngineRuntime;
beforeAll(async () => {
  runtime = await openRuntime(await tinyBundle(), { device: 'cpu', threads: 2 });
}, 300_000);
afterAll(async () => {
  await runtime?.close();
});

const params = { cfgScale: 3, temperature: 1, topK: 0, topP: 1 };

describe('generate: first variation', () => {
  it('gives each variation of a batch again when run alone from it', async () => {
    const prompt = 'a small red cat as a pixel-art hero';
    const batch = await generate(runtime, { prompt, references: [], seed: 42n, count: 3, params });
    expect(Buffer.from(batch.images[0]!.data).equals(Buffer.from(batch.images[2]!.data))).toBe(false);
    for (const variation of [1, 2]) {
      const alone = await generate(runtime, { prompt, references: [], seed: 42n, count: 1, firstVariation: variation, params });
      expect(Array.from(alone.tokens[0]!), `variation ${variation}: tokens`).toEqual(Array.from(batch.tokens[variation]!));
      expect(Buffer.from(alone.images[0]!.data).equals(Buffer.from(batch.images[variation]!.data)), `variation ${variation}: pixels`).toBe(true);
    }
  });

  it('refuses a first variation that is not a whole number ≥ 0', () => {
    for (const firstVariation of [-1, 1.5, Number.NaN]) {
      expect(() => checkRequest({ prompt: 'x', references: [], seed: 1n, count: 1, firstVariation, params }, 512)).toThrow(
        /first variation must be a whole number ≥ 0/,
      );
    }
  });
});
