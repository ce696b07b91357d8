// Live previews are whole VQ decodes. Where that decode is slow next to a row (a CPU), they must not
// take more than their share of a generation (preview.ts, previewTimeShare); where it is fast, every
// row may get one. The ETA counts the final VQ decode too. The tiny bundle with both graphs slowed
// down plays the two machines.
import type { InferenceSession } from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openRuntime, type EngineRuntime } from '../runtime/open-runtime';
import { tinyBundle } from '../../../test/fixtures/tiny-bundle';
import { generate } from './generate';

let runtime: EngineRuntime;
let original: EngineRuntime['sessions'];
beforeAll(async () => {
  runtime = await openRuntime(await tinyBundle(), { device: 'cpu', threads: 2 });
  original = { ...runtime.sessions };
}, 300_000);
afterAll(async () => {
  await runtime?.close();
});

/** `session` with `delayMs` added to every run (the engine only calls run). */
function slowed(session: InferenceSession, delayMs: number): InferenceSession {
  const slow = Object.create(session) as InferenceSession;
  Object.defineProperty(slow, 'run', {
    value: async (...args: Parameters<InferenceSession['run']>) => {
      await new Promise((resolve) => setTimeout(resolve, delayMs));
      return session.run(...args);
    },
  });
  return slow;
}

async function previewsMade(rowMs: number, vqMs: number, previewIntervalMs = 0): Promise<{ previews: number; share: number; lastEtaMs: number }> {
  runtime.sessions.decode = slowed(original.decode, rowMs);
  runtime.sessions.vqDecode = slowed(original.vqDecode, vqMs);
  let previews = 0;
  let lastEtaMs = NaN;
  const result = await generate(
    runtime,
    { prompt: 'a small red cat', references: [], seed: 7n, count: 2, params: { cfgScale: 3, temperature: 1, topK: 0, topP: 1 } },
    {
      previewIntervalMs,
      onProgress: (progress) => {
        previews += progress.preview === undefined ? 0 : 1;
        lastEtaMs = progress.etaMs;
      },
    },
  );
  return { previews, share: (result.timings.preview ?? 0) / (result.timings.decode ?? 1), lastEtaMs };
}

describe('live previews', () => {
  it('come every row when the VQ decode is cheap next to a row', async () => {
    // 8 rows; the last one has none (the finished image follows).
    expect((await previewsMade(40, 0)).previews).toBe(7);
  }, 30_000);

  it('stay within their share of the time when the VQ decode is slow', async () => {
    const { previews, share } = await previewsMade(40, 150);
    expect(previews).toBe(1);
    expect(share).toBeLessThan(0.6);
  }, 30_000);

  it('leave the final VQ decode in the ETA, learned from a preview or from the last generation', async () => {
    // With a preview, its cost stands for each of the two images the final decode makes.
    expect((await previewsMade(40, 150)).lastEtaMs).toBeGreaterThanOrEqual(2 * 150);
    // Without previews, the generation before taught the runtime what its final decode cost: 150 ms
    // (the stand-in's delay is per call, so per image it is half of that, for two images again).
    const taught = await previewsMade(40, 150, Infinity);
    expect(taught.previews).toBe(0);
    expect(taught.lastEtaMs).toBeGreaterThanOrEqual(150);
  }, 30_000);
});
