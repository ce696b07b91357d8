import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import * as ort from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copyTinyBundle, removeTemporaryFolders, runPython, tinyBundle } from '../../../test/fixtures/tiny-bundle';
import { EngineError } from '../errors';
import { graphKeys } from '../types';
import { graphIo } from '../bundle/graph-io';
import { openRuntime } from './open-runtime';

// Renames a graph input (and its uses) with the onnx package, as a broken exporter would.
const renameInput = `
import sys, onnx
file, old, new = sys.argv[1:4]
model = onnx.load(file)
for value in model.graph.input:
    if value.name == old:
        value.name = new
for node in model.graph.node:
    for i, name in enumerate(node.input):
        if name == old:
            node.input[i] = new
onnx.save(model, file)
`;

/** Updates the manifest's size and sha256 of `name` after a test changed the file on purpose. */
function rehash(dir: string, name: string): void {
  const manifestPath = path.join(dir, 'manifest.json');
  const manifest = JSON.parse(fs.readFileSync(manifestPath, 'utf8')) as { files: { path: string; sha256: string; bytes: number }[] };
  const bytes = fs.readFileSync(path.join(dir, name));
  const entry = manifest.files.find((file) => file.path === name)!;
  entry.bytes = bytes.length;
  entry.sha256 = createHash('sha256').update(bytes).digest('hex');
  fs.writeFileSync(manifestPath, JSON.stringify(manifest, null, 2));
}

describe('openRuntime', () => {
  beforeAll(async () => {
    await tinyBundle();
  }, 180_000);

  afterAll(() => {
    removeTemporaryFolders();
  });

  it('opens the tiny bundle on the CPU: five checked sessions and the prompt encoder', async () => {
    const runtime = await openRuntime(await tinyBundle(), { device: 'cpu', threads: 1 });
    try {
      expect(runtime.device).toBe('cpu');
      expect(runtime.deviceNote).toBeNull();
      expect(runtime.threads).toBe(1);
      expect(Object.keys(runtime.sessions).sort()).toEqual([...graphKeys].sort());
      const spec = graphIo(runtime.bundle.manifest.config.gpt.n_layer);
      for (const key of graphKeys) {
        expect([...runtime.sessions[key].inputNames].sort()).toEqual(spec[key].inputs.map((t) => t.name).sort());
      }
      expect(runtime.prompt.encode('The dog in <image>.', 1).inputIds).toHaveLength(runtime.bundle.manifest.config.prefixLength);

      // The sessions run: vq_decode turns a token grid into pixels.
      const { grid, imageSize } = runtime.bundle.manifest.config;
      const tokens = new ort.Tensor('int64', new BigInt64Array(grid * grid).fill(5n), [1, grid * grid]);
      const out = await runtime.sessions.vqDecode.run({ tokens });
      expect(out.image?.dims).toEqual([1, imageSize, imageSize, 3]);
    } finally {
      await runtime.close();
      await runtime.close();
    }
  });

  it('refuses a graph whose input was renamed, naming the file and the inputs', async () => {
    const dir = await copyTinyBundle();
    await runPython(renameInput, [path.join(dir, 'vision.onnx'), 'pixels', 'pixel_values']);
    rehash(dir, 'vision.onnx');
    const error = await openRuntime(dir, { device: 'cpu', threads: 1 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(EngineError);
    expect((error as EngineError).code).toBe('bundle_invalid');
    expect((error as EngineError).message).toBe(
      `${path.join(dir, 'vision.onnx')}: the vision graph does not match the bundle format (BUNDLE.md): ` +
        'missing input pixels; unexpected input pixel_values',
    );
  });

  it('refuses a file onnxruntime cannot load, naming it', async () => {
    const dir = await copyTinyBundle();
    fs.writeFileSync(path.join(dir, 'prefill.onnx'), 'not a model');
    rehash(dir, 'prefill.onnx');
    await expect(openRuntime(dir, { device: 'cpu', threads: 1 })).rejects.toThrow(
      `${path.join(dir, 'prefill.onnx')}: onnxruntime cannot load this graph`,
    );
  });

  it('runs on the CPU with a note when CUDA is asked for but cannot be used', async () => {
    const runtime = await openRuntime(await tinyBundle(), { device: 'cuda', threads: 1 });
    try {
      if (runtime.device === 'cuda') {
        // A machine with onnxruntime-node's CUDA provider installed and working.
        expect(runtime.deviceNote).toBeNull();
      } else {
        expect(runtime.deviceNote).toMatch(/^CUDA was requested but .*; running on the CPU$/);
        expect(runtime.deviceNote).toContain('npm ci --onnxruntime-node-install=cuda12');
      }
      expect(Object.keys(runtime.sessions)).toHaveLength(graphKeys.length);
    } finally {
      await runtime.close();
    }
  });
});
