// Weight-quantized bundles (`export --precision int8|int4`, for CPUs) run in the TypeScript engine.
// They are not exact against the fp32 PyTorch reference (native-models/tests/test_quantized_export.py
// bounds how far they drift), but the engine must produce exactly the tokens that Python onnxruntime
// produces on the same bundle. Same graphs, same kernels: anything else would be an engine bug.
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generate } from '../../main/engine/generate/generate';
import { openRuntime } from '../../main/engine/runtime/open-runtime';
import { execVenvPython, removeTemporaryFolders, runPython, temporaryFolder } from '../fixtures/tiny-bundle';

const prompt = 'The cat in <image>. A cat as a pixel-art hero';
const seeds = ['3', '42', '18446744073709551615'];
const bundles = new Map<string, string>();
let reference: string;

const pythonTokens = `
import json, sys
from PIL import Image
from mentor_models.bundle_runner import BundleRunner
bundle, image, prompt, seeds = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4].split(",")
runner = BundleRunner(bundle)
picture = Image.open(image).convert("RGB")
print(json.dumps({seed: runner.generate(prompt, [picture], int(seed)).tokens[0].tolist() for seed in seeds}))
`;

beforeAll(async () => {
  const folder = temporaryFolder('mentor-quantized-');
  reference = path.join(folder, 'cat.png');
  const pixels = Buffer.alloc(32 * 32 * 3, 0).map((_, i) => (i * 37) % 251);
  writeFileSync(reference, await sharp(pixels, { raw: { width: 32, height: 32, channels: 3 } }).png().toBuffer());
  for (const precision of ['int8', 'int4']) {
    const out = path.join(folder, precision);
    await execVenvPython(['-m', 'mentor_models.export', '--random-init', '--config', 'tiny', '--precision', precision, '--out', out]);
    bundles.set(precision, out);
  }
}, 300_000);

afterAll(() => removeTemporaryFolders());

describe.each(['int8', 'int4'])('a tiny %s bundle', (precision) => {
  it('generates the tokens Python onnxruntime generates from it', async () => {
    const bundle = bundles.get(precision)!;
    const expected = JSON.parse(await runPython(pythonTokens, [bundle, reference, prompt, seeds.join(',')])) as Record<string, number[]>;
    const runtime = await openRuntime(bundle, { device: 'cpu', threads: 2 });
    try {
      expect(runtime.bundle.manifest.precision).toBe(precision);
      for (const seed of seeds) {
        const result = await generate(runtime, {
          prompt,
          references: [{ name: 'cat.png', bytes: readFileSync(reference) }],
          seed: BigInt(seed),
          count: 1,
          params: { cfgScale: 7.5, temperature: 0.9, topK: 0, topP: 1 },
        });
        expect(Array.from(result.tokens[0]!, Number), `seed ${seed}`).toEqual(expected[seed]);
      }
    } finally {
      await runtime.close();
    }
  }, 120_000);
});
