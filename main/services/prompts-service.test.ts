import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Model } from '../../preload/contract';
import { copyTinyBundle, tinyBundle } from '../../test/fixtures/tiny-bundle';
import { openLibrary, type Library } from '../library/library';
import { createPromptsService, loadBundleEncoder } from './prompts-service';

let dataFolder: string;
let library: Library;
let model: Model;
let loads: number;
let measure: ReturnType<typeof createPromptsService>['prompts:measure'];
const copies: string[] = [];

beforeAll(async () => {
  dataFolder = fs.mkdtempSync(path.join(os.tmpdir(), 'prompts-service-'));
  library = openLibrary(dataFolder);
  model = await library.models.import(await tinyBundle());
  loads = 0;
  measure = createPromptsService(library.models, {
    loadEncoder: (loaded) => {
      loads += 1;
      return loadBundleEncoder(loaded);
    },
  })['prompts:measure'];
}, 300_000);

afterAll(() => {
  library?.close();
  fs.rmSync(dataFolder, { recursive: true, force: true });
  for (const copy of copies) {
    fs.rmSync(copy, { recursive: true, force: true });
  }
});

const missing = '00000000-0000-4000-8000-000000000000';

describe('prompts:measure (tiny model: 64 prompt tokens, 16 per image)', () => {
  it('counts with the engine encoder: markers, image and text tokens, the total against the prefix', async () => {
    const prompt = 'The cat in <image>. A cat as a 16-bit pixel-art hero';
    const encoder = await loadBundleEncoder(model);
    const measured = await measure({ modelId: model.id, prompt, referenceCount: 1 });
    expect(measured).toEqual({
      markers: 1,
      textTokens: encoder.encode(prompt, 1).textTokens,
      imageTokens: 16,
      totalTokens: 16 + encoder.encode(prompt, 1).textTokens,
      prefixLength: 64,
      problem: null,
    });
    expect(measured.textTokens).toBeGreaterThan(5);
  });

  it('gives the enqueue sentence when markers and references differ', async () => {
    const measured = await measure({ modelId: model.id, prompt: '<image> next to <image>', referenceCount: 1 });
    expect(measured).toMatchObject({ markers: 2, imageTokens: 32 });
    expect(measured.problem).toBe('The prompt has 2 <image> markers but 1 reference image was given; write one <image> for each reference, in order');
  });

  it('gives the over-budget sentences with the numbers', async () => {
    const long = await measure({ modelId: model.id, prompt: `<image> <image> ${'red '.repeat(39)}`, referenceCount: 2 });
    expect(long.totalTokens).toBeGreaterThan(64);
    expect(long.problem).toBe(`The prompt is too long: 2 images × 16 tokens + ${long.textTokens} text tokens = ${long.totalTokens} > prefix length 64`);

    const images = await measure({ modelId: model.id, prompt: '<image> <image> <image> <image>', referenceCount: 4 });
    expect(images.problem).toBe(
      `4 reference images take 64 of the 64 prompt tokens ${model.name} allows (16 each), leaving none for the text; use fewer references`,
    );
  });

  it('reads the tokenizer once per model, then answers each keystroke from memory', async () => {
    await measure({ modelId: model.id, prompt: 'A', referenceCount: 0 });
    const afterFirst = loads;
    expect(afterFirst).toBeGreaterThanOrEqual(1);
    for (const prompt of ['A c', 'A ca', 'A cat']) {
      await measure({ modelId: model.id, prompt, referenceCount: 0 });
    }
    expect(loads).toBe(afterFirst);
    const started = performance.now();
    await measure({ modelId: model.id, prompt: 'A cat on a windowsill, golden hour', referenceCount: 0 });
    // A keystroke costs one tokenization (generous bound for a shared CI machine).
    expect(performance.now() - started).toBeLessThan(200);
  });

  it('says not_found for an unknown model', async () => {
    await expect(measure({ modelId: missing, prompt: 'x', referenceCount: 0 })).rejects.toMatchObject({ code: 'not_found' });
  });

  it('says bundle_invalid when the folder is gone or holds another bundle, and recovers when it is back', async () => {
    const folder = await copyTinyBundle();
    copies.push(folder);
    const scratch = openLibrary(fs.mkdtempSync(path.join(os.tmpdir(), 'prompts-service-moved-')));
    try {
      const moved = await scratch.models.import(folder);
      const measureMoved = createPromptsService(scratch.models)['prompts:measure'];
      const aside = `${folder}-aside`;
      fs.renameSync(folder, aside);
      await expect(measureMoved({ modelId: moved.id, prompt: 'x', referenceCount: 0 })).rejects.toMatchObject({
        code: 'bundle_invalid',
        message: expect.stringContaining('no such folder'),
      });
      fs.renameSync(aside, folder);
      expect((await measureMoved({ modelId: moved.id, prompt: 'x', referenceCount: 0 })).problem).toBeNull();

      const manifestFile = path.join(folder, 'manifest.json');
      const manifest = JSON.parse(fs.readFileSync(manifestFile, 'utf8')) as { name: string };
      fs.writeFileSync(manifestFile, JSON.stringify({ ...manifest, name: 'something else' }));
      const fresh = createPromptsService(scratch.models)['prompts:measure'];
      await expect(fresh({ modelId: moved.id, prompt: 'x', referenceCount: 0 })).rejects.toMatchObject({
        code: 'bundle_invalid',
        message: expect.stringContaining('is not the one that was imported'),
      });
    } finally {
      scratch.close();
      fs.rmSync(scratch.dataFolder, { recursive: true, force: true });
    }
  });
});
