import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ImageMetadata, Model } from '../../preload/contract';
import { metadataText } from '../engine/png/generation-metadata';
import { encodePng, pngChunk } from '../engine/png/png-encoder';
import { openLibrary, type Library } from '../library/library';
import { createAssetsService } from './assets-service';
import { fakeServices } from './fake-services.test-helper';
import { createRouter, type Router } from './router';

let dataFolder: string;
let library: Library;
let router: Router;
let installed: Model[];

const bundleSha256 = 'b'.repeat(64);
const model = { id: '5b1c2a4e-8f7d-4c3b-9a2e-1f0d3c4b5a69', bundleSha256 } as Model;

beforeEach(() => {
  dataFolder = fs.mkdtempSync(path.join(os.tmpdir(), 'assets-service-'));
  library = openLibrary(dataFolder);
  installed = [model];
  router = createRouter(fakeServices(createAssetsService(library.assets, { list: () => installed })), { logError: () => undefined });
});
afterEach(() => {
  library.close();
  fs.rmSync(dataFolder, { recursive: true, force: true });
});

const pixels = { width: 2, height: 2, data: new Uint8Array(12).fill(200) };

function generatedPng(references: string[]): Buffer {
  return encodePng(
    pixels,
    metadataText({
      prompt: 'The cat in <image>. A cat as a 16-bit pixel-art hero',
      seed: '18446744073709551615',
      params: { cfgScale: 7.5, temperature: 0.9, topK: 0, topP: 1 },
      tokens: 64,
      variation: 2,
      count: 4,
      width: 2,
      height: 2,
      imageSize: 2,
      model: { name: 'gpt-tiny-random-init', bundleSha256 },
      references,
      engineVersion: '0.1.0',
    }),
  );
}

async function readMetadata(bytes: Buffer): Promise<{ ok: boolean; value?: { metadata: ImageMetadata | null }; error?: { code: string; message: string } }> {
  return (await router.call('assets:readMetadata', { dataBase64: bytes.toString('base64') })) as never;
}

describe('assets:readMetadata', () => {
  it('reads a generated PNG: prompt, seed, parameters, which references the library has, which model made it', async () => {
    const png = await sharp({ create: { width: 4, height: 4, channels: 3, background: '#123' } }).png().toBuffer();
    const known = library.assets.put(png, { mime: 'image/png' }).sha256;
    const unknown = 'c'.repeat(64);

    expect(await readMetadata(generatedPng([known, unknown]))).toEqual({
      ok: true,
      value: {
        metadata: {
          prompt: 'The cat in <image>. A cat as a 16-bit pixel-art hero',
          seed: '18446744073709551615',
          variation: 2,
          params: { cfgScale: 7.5, temperature: 0.9, topK: 0, topP: 1 },
          references: [
            { sha256: known, inLibrary: true },
            { sha256: unknown, inLibrary: false },
          ],
          bundleSha256,
          modelId: model.id,
        },
      },
    });
    installed = [];
    expect((await readMetadata(generatedPng([]))).value?.metadata).toMatchObject({ bundleSha256, modelId: null, references: [] });
  });

  it('gives null for images that do not say how they were made', async () => {
    const plainPng = encodePng(pixels);
    const jpeg = await sharp({ create: { width: 4, height: 4, channels: 3, background: '#fff' } }).jpeg().toBuffer();
    const otherTool = encodePng(pixels, { parameters: 'a castle\nSteps: 20, Sampler: Euler a, CFG scale: 7, Seed: 1, Size: 2x2' });
    for (const bytes of [plainPng, jpeg, Buffer.from('just some text'), otherTool]) {
      expect(await readMetadata(bytes)).toEqual({ ok: true, value: { metadata: null } });
    }
  });

  it('refuses a truncated or damaged PNG, and a broken mentor text, with image_invalid', async () => {
    const good = generatedPng([]);
    const truncated = good.subarray(0, good.length - 30);
    const badCrc = Buffer.from(good);
    badCrc[45] = (badCrc[45] as number) ^ 0xff; // inside the first text chunk (IHDR ends at byte 33)
    // A broken `mentor` text beside a good `parameters` one still reads (either restores it); alone it is refused.
    const brokenMentor = encodePng(pixels, { mentor: '{"formatVersion":1,' });
    const mentorPlusParameters = Buffer.concat([good.subarray(0, 33), pngChunk('tEXt', Buffer.from('mentor\0{"formatVersion":1,', 'latin1')), good.subarray(33)]);
    expect((await readMetadata(mentorPlusParameters)).value?.metadata?.seed).toBe('18446744073709551615');


    expect(await readMetadata(truncated)).toMatchObject({ ok: false, error: { code: 'image_invalid', message: expect.stringMatching(/^The image: is truncated/) } });
    expect(await readMetadata(badCrc)).toMatchObject({ ok: false, error: { code: 'image_invalid', message: expect.stringContaining('bad CRC') } });
    expect(await readMetadata(brokenMentor)).toMatchObject({ ok: false, error: { code: 'image_invalid', message: expect.stringContaining('the mentor text is not JSON') } });
    expect(await router.call('assets:readMetadata', { dataBase64: 'not base64!' })).toMatchObject({ ok: false, error: { code: 'image_invalid' } });
  });
});
