import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { pythonUnavailable, venvPython } from '../images/python-reference.test-helper';
import { metadataText, parseGenerationMetadata, type GenerationMetadata } from './generation-metadata';
import { encodePng, readPngText } from './png-encoder';

const bundleSha256 = '0123456789abcdef'.repeat(4);
const refA = 'a'.repeat(64);
const refB = 'b'.repeat(63) + 'c';

function sample(overrides: Partial<GenerationMetadata> = {}): Omit<GenerationMetadata, 'formatVersion'> {
  return {
    prompt: 'The cat in <image>. A cat as a 16-bit pixel-art hero',
    seed: '123',
    params: { cfgScale: 7.5, temperature: 0.9, topK: 0, topP: 1 },
    tokens: 1024,
    variation: 0,
    count: 1,
    width: 512,
    height: 512,
    imageSize: 512,
    model: { name: 'mentor-tiny', bundleSha256 },
    references: [refA],
    engineVersion: '0.1.0',
    ...overrides,
  };
}

function full(meta: Omit<GenerationMetadata, 'formatVersion'>): GenerationMetadata {
  return { formatVersion: 1, ...meta };
}

describe('metadataText', () => {
  it('writes the mentor JSON and the A1111 parameters line', () => {
    const text = metadataText(sample());
    expect(Object.keys(text)).toEqual(['mentor', 'parameters']);
    expect(JSON.parse(text.mentor as string)).toEqual(full(sample()));
    expect(text.parameters).toBe(
      'The cat in <image>. A cat as a 16-bit pixel-art hero\n' +
        'Steps: 1024, Sampler: MENTOR AR, CFG scale: 7.5, Temperature: 0.9, Top-k: 0, Top-p: 1, Seed: 123, Size: 512x512, ' +
        `Model hash: 0123456789, Model: mentor-tiny, Variation: 0, Count: 1, Bundle sha256: ${bundleSha256}, ` +
        `References: ${refA}, Version: mentor-studio 0.1.0`,
    );
  });

  it('refuses metadata that would not read back', () => {
    expect(() => metadataText(sample({ seed: '18446744073709551616' }))).toThrow(/seed/);
    expect(() => metadataText(sample({ variation: 2, count: 2 }))).toThrow(/variation must be below count/);
    expect(() => metadataText(sample({ references: ['ABC'] }))).toThrow(/references/);
  });
});

describe('parseGenerationMetadata', () => {
  const tricky = sample({
    prompt: '  猫と <image> の帽子, "quoted", back\\slash\nsecond line: with colon, and commas\n\nSteps: 5, Sampler: fake\n',
    seed: '18446744073709551615',
    params: { cfgScale: 3, temperature: 0, topK: 50, topP: 0.95 },
    variation: 3,
    count: 4,
    width: 384,
    height: 256,
    imageSize: 256,
    model: { name: 'my model, v2: "final"', bundleSha256 },
    references: [refA, refB],
    engineVersion: '0.1.0-beta+5',
  });

  it('round-trips through the mentor JSON', () => {
    for (const meta of [sample(), tricky, sample({ prompt: '', references: [] })]) {
      expect(parseGenerationMetadata(metadataText(meta))).toEqual(full(meta));
    }
  });

  it('round-trips through the parameters text alone', () => {
    for (const meta of [sample(), tricky, sample({ prompt: '', references: [] }), sample({ prompt: 'ends with newline\n' })]) {
      const { parameters } = metadataText(meta);
      expect(parseGenerationMetadata({ parameters: parameters as string }), meta.prompt).toEqual(full(meta));
    }
  });

  it('round-trips through a PNG file', () => {
    const png = encodePng({ width: 2, height: 1, data: new Uint8Array(6) }, metadataText(tricky));
    expect(parseGenerationMetadata(readPngText(png))).toEqual(full(tricky));
  });

  it('falls back to parameters when mentor is unreadable or from a newer version', () => {
    const { parameters } = metadataText(tricky);
    const newer = JSON.stringify({ ...full(tricky), formatVersion: 2 });
    expect(parseGenerationMetadata({ mentor: newer, parameters: parameters as string })).toEqual(full(tricky));
    expect(parseGenerationMetadata({ mentor: '{not json', parameters: parameters as string })).toEqual(full(tricky));
    expect(() => parseGenerationMetadata({ mentor: newer }, 'x.png')).toThrow(
      'x.png: the mentor text has format version 2; this version reads 1',
    );
  });

  it('explains what is missing or foreign', () => {
    expect(() => parseGenerationMetadata({ Software: 'x' }, 'a.png')).toThrow(
      'a.png: has no generation metadata (no "mentor" or "parameters" text)',
    );
    const a1111 =
      'a photo of a cat\nNegative prompt: blurry\nSteps: 20, Sampler: Euler a, CFG scale: 7, Seed: 1, Size: 512x512, Model hash: abc, Model: sd15';
    expect(() => parseGenerationMetadata({ parameters: a1111 })).toThrow(
      'PNG: the parameters text was not written by MENTOR Studio (Sampler: Euler a)',
    );
    const { parameters } = metadataText(sample());
    const withoutSeed = (parameters as string).replace('Seed: 123, ', '');
    expect(() => parseGenerationMetadata({ parameters: withoutSeed })).toThrow(/the parameters text is incomplete or invalid: seed/);
    const wrongHash = (parameters as string).replace('Model hash: 0123456789', 'Model hash: ffffffffff');
    expect(() => parseGenerationMetadata({ parameters: wrongHash })).toThrow(/Model hash ffffffffff does not match/);
    expect(() => parseGenerationMetadata({ parameters: 'just a prompt' })).toThrow(/does not end with a "Key: value, …" line/);
    const badMentor = JSON.stringify({ ...full(sample()), seed: 5 });
    expect(() => parseGenerationMetadata({ mentor: badMentor })).toThrow(/the mentor text is invalid: seed/);
  });

  const skipReason = pythonUnavailable();
  it.skipIf(skipReason !== null)('is readable by Pillow, which A1111-style tools use', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mentor-png-'));
    try {
      const file = path.join(dir, 'out.png');
      const data = new Uint8Array(3 * 2 * 3).map((_, i) => i * 13);
      fs.writeFileSync(file, encodePng({ width: 3, height: 2, data }, metadataText(tricky)));
      const script =
        'import json, sys\nimport numpy as np\nfrom PIL import Image\n' +
        'im = Image.open(sys.argv[1]); im.load()\n' +
        'print(json.dumps({"text": im.text, "mode": im.mode, "pixels": np.asarray(im).ravel().tolist()}))';
      const out = JSON.parse(execFileSync(venvPython, ['-c', script, file], { encoding: 'utf8' })) as {
        text: Record<string, string>;
        mode: string;
        pixels: number[];
      };
      expect(out.mode).toBe('RGB');
      expect(out.pixels).toEqual([...data]);
      expect(parseGenerationMetadata(out.text)).toEqual(full(tricky));
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
