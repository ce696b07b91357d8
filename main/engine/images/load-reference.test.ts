import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { deflateSync } from 'node:zlib';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EngineError } from '../errors';
import { pngChunk } from '../png/png-encoder';
import type { PreprocessSpec, RgbImage } from '../types';
import {
  decodeReferenceRgb,
  defaultImageLimits,
  inspectImage,
  loadReference,
  normalise,
  preprocessRgb,
  resizeForSpec,
} from './load-reference';
import { asFloat32, pythonUnavailable, runPython, type PythonJob } from './python-reference.test-helper';
import { resizeBicubic } from './resample';

const clip = { mean: [0.48145466, 0.4578275, 0.40821073], std: [0.26862954, 0.26130258, 0.27577711] } as const;

function spec(size: number, squashToSquare: boolean): PreprocessSpec {
  return {
    size,
    squashToSquare,
    resize: 'bicubic',
    crop: 'center',
    rescale: 1 / 255,
    mean: [...clip.mean],
    std: [...clip.std],
    layout: 'NCHW',
  };
}

/** Deterministic test pixels: smooth gradients plus noise, so resampling has edges to disagree on. */
function pattern(width: number, height: number, channels: number, seed: number): Uint8Array {
  const data = new Uint8Array(width * height * channels);
  let s = seed >>> 0;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      for (let c = 0; c < channels; c++) {
        s = (Math.imul(s, 1103515245) + 12345) >>> 0;
        const smooth = 128 + 100 * Math.sin((x * (c + 1)) / 7 + y / 5 + seed);
        data[(y * width + x) * channels + c] = Math.max(0, Math.min(255, Math.round(smooth + ((s >>> 16) % 60) - 30)));
      }
    }
  }
  return data;
}

function rawImage(data: Uint8Array | Uint16Array, width: number, height: number, channels: 1 | 2 | 3 | 4): sharp.Sharp {
  return sharp(data, { raw: { width, height, channels } });
}

async function png(width: number, height: number, channels: 1 | 2 | 3 | 4, seed: number): Promise<Buffer> {
  const image = rawImage(pattern(width, height, channels, seed), width, height, channels);
  return (channels <= 2 ? image.toColourspace('b-w') : image).png().toBuffer();
}

async function png16(width: number, height: number, channels: 1 | 2 | 3 | 4, seed: number): Promise<Buffer> {
  const wide = new Uint16Array(width * height * channels);
  let s = seed;
  for (let i = 0; i < wide.length; i++) {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    wide[i] = s >>> 16;
  }
  // A few values where v >> 8 and round(v / 257) differ.
  wide.set([255, 383, 32767, 65535, 0, 128].slice(0, wide.length));
  return rawImage(wide, width, height, channels)
    .toColourspace(channels <= 2 ? 'grey16' : 'rgb16')
    .png()
    .toBuffer();
}

/** A PNG written by hand: IHDR (8-bit RGB) for the given size, then the given IDAT payload. */
function handPng(width: number, height: number, idat: Uint8Array): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8;
  ihdr[9] = 2;
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    pngChunk('IHDR', ihdr),
    pngChunk('IDAT', idat),
    pngChunk('IEND', new Uint8Array(0)),
  ]);
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let max = 0;
  for (let i = 0; i < a.length; i++) {
    max = Math.max(max, Math.abs((a[i] as number) - (b[i] as number)));
  }
  return max;
}

function bytesOf(values: Float32Array): Buffer {
  return Buffer.from(values.buffer, values.byteOffset, values.byteLength);
}

async function rejection(promise: Promise<unknown>): Promise<EngineError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(EngineError);
    return error as EngineError;
  }
  throw new Error('expected a rejection');
}

describe('decoding', () => {
  it('reads PNG, JPEG, WebP, GIF, TIFF and AVIF', async () => {
    const flat = rawImage(new Uint8Array(16 * 8 * 3).fill(0).map((_, i) => [200, 60, 30][i % 3] as number), 16, 8, 3);
    const files: [string, Buffer, number][] = [
      ['png', await flat.clone().png().toBuffer(), 0],
      ['jpeg', await flat.clone().jpeg({ quality: 95 }).toBuffer(), 6],
      ['webp', await flat.clone().webp({ lossless: true }).toBuffer(), 0],
      ['gif', await flat.clone().gif().toBuffer(), 6],
      ['tiff', await flat.clone().tiff({ compression: 'lzw' }).toBuffer(), 0],
      ['avif', await flat.clone().avif({ lossless: true }).toBuffer(), 6],
    ];
    for (const [format, bytes, tolerance] of files) {
      const info = await inspectImage(bytes, `x.${format}`);
      expect(info).toEqual({ width: 16, height: 8, format });
      const image = await decodeReferenceRgb({ name: `x.${format}`, bytes });
      expect([image.width, image.height]).toEqual([16, 8]);
      expect(maxAbsDiff(image.data.subarray(0, 3), [200, 60, 30]), format).toBeLessThanOrEqual(tolerance);
    }
  });

  it('takes the first frame of an animation', async () => {
    const red = await rawImage(new Uint8Array(20 * 10 * 3).map((_, i) => (i % 3 === 0 ? 255 : 0)), 20, 10, 3).png().toBuffer();
    const blue = await rawImage(new Uint8Array(20 * 10 * 3).map((_, i) => (i % 3 === 2 ? 255 : 0)), 20, 10, 3).png().toBuffer();
    const gif = await sharp([red, blue], { join: { animated: true } }).gif().toBuffer();
    expect(await inspectImage(gif, 'anim.gif')).toEqual({ width: 20, height: 10, format: 'gif' });
    const image = await decodeReferenceRgb({ name: 'anim.gif', bytes: gif });
    expect([image.width, image.height]).toEqual([20, 10]);
    expect([...image.data.subarray(0, 3)]).toEqual([255, 0, 0]);
  });

  it('applies EXIF orientation 6 (rotate 90° clockwise)', async () => {
    // 20×10: left half red, right half blue. Rotated clockwise: 10×20, top red, bottom blue.
    const data = new Uint8Array(20 * 10 * 3);
    for (let y = 0; y < 10; y++) {
      for (let x = 0; x < 20; x++) {
        data.set(x < 10 ? [255, 0, 0] : [0, 0, 255], (y * 20 + x) * 3);
      }
    }
    const jpeg = await rawImage(data, 20, 10, 3).jpeg({ quality: 100 }).withMetadata({ orientation: 6 }).toBuffer();
    expect((await sharp(jpeg).metadata()).orientation).toBe(6);
    expect(await inspectImage(jpeg, 'o6.jpg')).toEqual({ width: 10, height: 20, format: 'jpeg' });
    const image = await decodeReferenceRgb({ name: 'o6.jpg', bytes: jpeg });
    expect([image.width, image.height]).toEqual([10, 20]);
    const at = (x: number, y: number) => [...image.data.subarray((y * 10 + x) * 3, (y * 10 + x) * 3 + 3)];
    expect(maxAbsDiff(at(5, 2), [255, 0, 0])).toBeLessThan(8);
    expect(maxAbsDiff(at(5, 17), [0, 0, 255])).toBeLessThan(8);
  });

  it('flattens transparent pixels onto white', async () => {
    const rgba = new Uint8Array(4 * 2 * 4);
    rgba.set([10, 20, 30, 0, 10, 20, 30, 255, 200, 100, 0, 128, 0, 0, 0, 1]);
    const bytes = await rawImage(rgba, 4, 2, 4).png().toBuffer();
    const image = await decodeReferenceRgb({ name: 'alpha.png', bytes });
    expect([...image.data.subarray(0, 12)]).toEqual([255, 255, 255, 10, 20, 30, 227, 177, 127, 254, 254, 254]);
    // The second row was all zeros: fully transparent black → white.
    expect([...image.data.subarray(12)]).toEqual(new Array(12).fill(255));
  });

  it('converts a CMYK JPEG to sRGB', async () => {
    const colour = [51, 102, 204];
    const rgb = new Uint8Array(16 * 16 * 3).map((_, i) => colour[i % 3] as number);
    const cmyk = await rawImage(rgb, 16, 16, 3).toColourspace('cmyk').jpeg({ quality: 100 }).toBuffer();
    expect((await sharp(cmyk).metadata()).space).toBe('cmyk');
    const image = await decodeReferenceRgb({ name: 'cmyk.jpg', bytes: cmyk });
    expect([image.width, image.height, image.data.length]).toEqual([16, 16, 16 * 16 * 3]);
    // sRGB → CMYK → sRGB through sharp's generic CMYK profile (perceptual intent) is not exact:
    // (51, 102, 204) comes back as (44, 106, 172).
    expect(maxAbsDiff(image.data.subarray(0, 3), colour)).toBeLessThan(40);
  });
});

describe('bad inputs', () => {
  const size32 = spec(32, true);
  const rows = Buffer.alloc(64 * (1 + 64 * 3), 7);
  for (let y = 0; y < 64; y++) {
    rows[y * (1 + 64 * 3)] = 0;
  }

  it('refuses an empty file', async () => {
    const error = await rejection(loadReference({ name: 'empty.png', bytes: new Uint8Array(0) }, size32));
    expect(error.code).toBe('image_invalid');
    expect(error.message).toBe('empty.png: is empty (0 bytes)');
  });

  it('refuses a text file named .png', async () => {
    const error = await rejection(loadReference({ name: 'notes.png', bytes: Buffer.from('hello, I am text\n') }, size32));
    expect(error.code).toBe('image_invalid');
    expect(error.message).toMatch(/^notes\.png: is not an image sharp can read \(.*unsupported image format.*\)$/);
    await expect(inspectImage(Buffer.from('hello'), 'notes.png')).rejects.toThrow(/is not an image sharp can read/);
  });

  it('refuses a PNG whose IDAT is garbage, truncated, or whose file is cut short', async () => {
    const garbage = handPng(64, 64, Buffer.from('this is not zlib data'.repeat(8)));
    const deflated = deflateSync(rows);
    const truncated = handPng(64, 64, deflated.subarray(0, deflated.length >> 1));
    const good = await png(64, 64, 3, 1);
    const cut = good.subarray(0, Math.floor(good.length * 0.6));
    for (const [name, bytes] of [
      ['garbage.png', garbage],
      ['truncated.png', truncated],
      ['cut.png', cut],
    ] as const) {
      const error = await rejection(loadReference({ name, bytes }, size32));
      expect(error.code).toBe('image_invalid');
      expect(error.message).toMatch(new RegExp(`^${name.replace('.', '\\.')}: is damaged or truncated \\(.+\\)$`));
      await expect(inspectImage(bytes, name)).rejects.toThrow(/is damaged or truncated/);
    }
    // The same rows, whole, decode.
    expect(await inspectImage(handPng(64, 64, deflated), 'whole.png')).toEqual({ width: 64, height: 64, format: 'png' });
  });

  it('answers damaged files of every format with an EngineError, never a crash', async () => {
    const source = rawImage(pattern(48, 32, 3, 8), 48, 32, 3);
    const originals = [
      await source.clone().png().toBuffer(),
      await source.clone().jpeg().toBuffer(),
      await source.clone().webp().toBuffer(),
      await source.clone().gif().toBuffer(),
      await source.clone().tiff().toBuffer(),
    ];
    let seed = 12345;
    const next = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0);
    const outcomes = { decoded: 0, refused: 0 };
    for (const original of originals) {
      for (let trial = 0; trial < 24; trial++) {
        const bytes = Buffer.from(original);
        // Flip a few bytes past the first 8, sometimes cut the file short.
        for (let flips = 1 + (next() % 4); flips > 0; flips--) {
          const at = 8 + (next() % (bytes.length - 8));
          bytes.writeUInt8(next() & 0xff, at);
        }
        const cut = trial % 3 === 0 ? bytes.subarray(0, 8 + (next() % (bytes.length - 8))) : bytes;
        try {
          const pixels = await loadReference({ name: 'fuzz', bytes: cut }, size32);
          expect(pixels.length).toBe(3 * 32 * 32);
          outcomes.decoded++;
        } catch (error) {
          expect(error).toBeInstanceOf(EngineError);
          expect((error as EngineError).code).toBe('image_invalid');
          expect((error as EngineError).message).toMatch(/^fuzz: (is damaged or truncated|is not an image sharp can read|is a \w+ file|is \d)/);
          outcomes.refused++;
        }
      }
    }
    console.log(`damaged-file fuzz: ${outcomes.decoded} decoded, ${outcomes.refused} refused, no crash`);
  });

  it('refuses a truncated JPEG', async () => {
    const jpeg = await rawImage(pattern(128, 128, 3, 3), 128, 128, 3).jpeg().toBuffer();
    const error = await rejection(loadReference({ name: 'cut.jpg', bytes: jpeg.subarray(0, jpeg.length >> 1) }, size32));
    expect(error.message).toMatch(/^cut\.jpg: is damaged or truncated \(.*\)$/);
  });

  it('refuses a 30000×30000 PNG from its header, before decoding', async () => {
    const bomb = handPng(30000, 30000, deflateSync(Buffer.alloc(100)));
    const before = process.memoryUsage().rss;
    const started = performance.now();
    const error = await rejection(loadReference({ name: 'bomb.png', bytes: bomb }, size32));
    expect(error.code).toBe('image_invalid');
    expect(error.message).toBe('bomb.png: is 30000×30000 = 900 megapixels; the limit is 40 megapixels');
    await expect(inspectImage(bomb, 'bomb.png')).rejects.toThrow('is 30000×30000 = 900 megapixels; the limit is 40 megapixels');
    expect(performance.now() - started).toBeLessThan(2000);
    // 2.7 GB of RGB were never allocated.
    expect(process.memoryUsage().rss - before).toBeLessThan(200e6);
  });

  it('refuses files over the byte limit and sizes just over the pixel limit', async () => {
    const bytes = await png(64, 64, 3, 2);
    const error = await rejection(loadReference({ name: 'big.png', bytes }, size32, { maxBytes: 1000, maxPixels: 40e6 }));
    expect(error.message).toMatch(/^big\.png: is \d+ bytes; the limit is 1000 bytes$/);
    const over = handPng(8001, 5000, deflateSync(Buffer.alloc(10)));
    await expect(inspectImage(over, 'wide.png')).rejects.toThrow('wide.png: is 8001×5000 = 40.005 megapixels; the limit is 40 megapixels');
    const tight = await rejection(inspectImage(bytes, 'a.png', { maxBytes: 1e9, maxPixels: 4095 }));
    expect(tight.message).toBe('a.png: is 64×64 = 4096 pixels; the limit is 4095 pixels');
    expect(defaultImageLimits).toEqual({ maxBytes: 50_000_000, maxPixels: 40_000_000 });
  });

  it('refuses formats other than the raster ones it lists', async () => {
    const svg = Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" width="8" height="8"><rect width="8" height="8"/></svg>');
    const error = await rejection(inspectImage(svg, 'vector.png'));
    expect(error.message).toBe('vector.png: is a svg file; the supported formats are PNG, JPEG, WebP, GIF, TIFF and AVIF');
  });

  it('refuses a preprocess spec it does not implement', async () => {
    const bytes = await png(8, 8, 3, 1);
    await expect(loadReference({ name: 'a.png', bytes }, { ...size32, resize: 'bilinear' })).rejects.toMatchObject({
      code: 'bundle_invalid',
      message: 'config.preprocess: resize is "bilinear" (this engine does "bicubic")',
    });
  });
});

describe('geometry', () => {
  it('does not resample an image already at the size', () => {
    const image: RgbImage = { width: 32, height: 32, data: pattern(32, 32, 3, 4) };
    expect(resizeForSpec(image, { size: 32, squashToSquare: false })).toBe(image);
  });

  it('squashes or resizes the shortest edge and crops the centre', () => {
    const image: RgbImage = { width: 48, height: 40, data: pattern(48, 40, 3, 5) };
    expect(resizeForSpec(image, { size: 32, squashToSquare: true })).toMatchObject({ width: 32, height: 32 });
    // Shortest edge 40 → 32: 48 → round(38.4) = 38, cropped at x = 3.
    const full = resizeBicubic(image, 38, 32);
    const cropped = resizeForSpec(image, { size: 32, squashToSquare: false });
    expect(cropped.data.subarray(0, 3)).toEqual(full.data.subarray(9, 12));
  });

  it('normalises a known pixel like numpy float32', () => {
    const out = normalise({ width: 1, height: 1, data: new Uint8Array([0, 128, 255]) }, spec(1, true));
    // numpy: ((np.array([0, 128, 255], np.float32) * float(1 / 255)) - mean) / std, float32 bits.
    expect([...new Uint32Array(out.buffer)].map((bits) => bits.toString(16))).toEqual(['bfe568dc', '3e2cf36b', '40095660']);
  });

  it('resizes a 4000×3000 photo to 224 in reasonable time', async () => {
    const data = new Uint8Array(4000 * 3000 * 3);
    for (let i = 0; i < data.length; i++) {
      data[i] = (i * 7919) % 251;
    }
    const bytes = await rawImage(data, 4000, 3000, 3).jpeg().toBuffer();
    const started = performance.now();
    const image = await decodeReferenceRgb({ name: 'photo.jpg', bytes });
    const decoded = performance.now();
    const pixels = preprocessRgb(image, spec(224, false));
    const done = performance.now();
    console.log(
      `4000×3000 JPEG → 224: decode ${(decoded - started).toFixed(0)} ms, Pillow-exact bicubic + normalise ${(done - decoded).toFixed(0)} ms`,
    );
    expect(pixels.length).toBe(3 * 224 * 224);
  });
});

const skipReason = pythonUnavailable();
if (skipReason !== null) {
  console.log(`skipping the Python parity tests: ${skipReason}`);
}

describe.skipIf(skipReason !== null)('parity with native-models preprocess.py (Pillow + numpy)', () => {
  let dir = '';
  const files: Record<string, Buffer> = {};
  const jobs: (PythonJob & { id: string })[] = [];
  let results = new Map<string, Buffer>();

  async function add(name: string, bytes: Buffer): Promise<string> {
    const file = path.join(dir, name);
    fs.writeFileSync(file, bytes);
    files[name] = bytes;
    return file;
  }

  const resizePairs: [number, number, number, number][] = [
    [48, 40, 32, 32],
    [20, 30, 32, 32],
    [640, 480, 224, 224],
    [300, 200, 299, 299],
    [1, 1, 7, 5],
    [33, 7, 5, 40],
    [1000, 999, 224, 224],
  ];

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mentor-images-'));
    const queue = async (id: string, job: PythonJob) => {
      jobs.push({ ...job, id });
    };
    // Every 8-bit value in every channel, at size: checks normalise() for all 768 inputs.
    const every = new Uint8Array(16 * 16 * 3);
    for (let v = 0; v < 256; v++) {
      every.set([v, 255 - v, (v * 7) % 256], v * 3);
    }
    const everyFile = await add('every16.png', await rawImage(every, 16, 16, 3).png().toBuffer());
    await queue('every16', { kind: 'preprocess', file: everyFile, spec: spec(16, false) });
    const rgb32 = await add('rgb32.png', await png(32, 32, 3, 11));
    await queue('rgb32', { kind: 'preprocess', file: rgb32, spec: spec(32, true) });
    const rgb4840 = await add('rgb48x40.png', await png(48, 40, 3, 12));
    await queue('squash48x40', { kind: 'preprocess', file: rgb4840, spec: spec(32, true) });
    await queue('crop48x40', { kind: 'preprocess', file: rgb4840, spec: spec(32, false) });
    const rgb2030 = await add('rgb20x30.png', await png(20, 30, 3, 13));
    await queue('squash20x30', { kind: 'preprocess', file: rgb2030, spec: spec(32, true) });
    await queue('crop20x30', { kind: 'preprocess', file: rgb2030, spec: spec(32, false) });
    const rgb640 = await add('rgb640x480.png', await png(640, 480, 3, 14));
    await queue('crop640x480', { kind: 'preprocess', file: rgb640, spec: spec(224, false) });
    await queue('squash640x480', { kind: 'preprocess', file: rgb640, spec: spec(224, true) });
    for (const [w, h, tw, th] of resizePairs) {
      const file = await add(`r${w}x${h}.png`, await png(w, h, 3, w + h));
      await queue(`resize${w}x${h}to${tw}x${th}`, { kind: 'resize', file, width: tw, height: th });
    }
    // Alpha, greyscale, 16-bit, palette: compare to_rgb (exact) and preprocess (exact).
    const rgba = pattern(32, 32, 4, 15);
    for (let i = 3; i < rgba.length; i += 16) {
      rgba[i] = 0; // some fully transparent pixels among the partial ones
    }
    const modes: [string, Buffer][] = [
      ['rgba.png', await rawImage(rgba, 32, 32, 4).png().toBuffer()],
      ['grey.png', await png(32, 32, 1, 16)],
      ['greyalpha.png', await png(32, 32, 2, 17)],
      ['grey16.png', await png16(32, 32, 1, 18)],
      ['greyalpha16.png', await png16(32, 32, 2, 19)],
      ['rgb16.png', await png16(32, 32, 3, 20)],
      ['rgba16.png', await png16(32, 32, 4, 21)],
      ['palette.png', await rawImage(rgba, 32, 32, 4).png({ palette: true, colours: 64, dither: 0 }).toBuffer()],
      ['rgb32.jpg', await rawImage(pattern(32, 32, 3, 22), 32, 32, 3).jpeg({ quality: 90 }).toBuffer()],
      ['cmyk.jpg', await rawImage(pattern(32, 32, 3, 23), 32, 32, 3).toColourspace('cmyk').jpeg({ quality: 95 }).toBuffer()],
    ];
    for (const [name, bytes] of modes) {
      const file = await add(name, bytes);
      await queue(`toRgb:${name}`, { kind: 'toRgb', file });
      await queue(`preprocess:${name}`, { kind: 'preprocess', file, spec: spec(32, true) });
    }
    const outputs = runPython(jobs);
    results = new Map(jobs.map((job, i) => [job.id, outputs[i] as Buffer]));
  }, 120_000);

  afterAll(() => {
    if (dir !== '') {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  function python(id: string): Buffer {
    const out = results.get(id);
    if (out === undefined) {
      throw new Error(`no Python result ${id}`);
    }
    return out;
  }

  it('gives the same float32 bits for a 32×32 RGB PNG at size (no resampling)', async () => {
    // A plain Uint8Array (not a Buffer), as ReferenceInput allows.
    const bytes = new Uint8Array(files['rgb32.png'] as Buffer);
    const ours = await loadReference({ name: 'rgb32.png', bytes }, spec(32, true));
    expect(ours.length).toBe(3 * 32 * 32);
    expect(bytesOf(ours).equals(python('rgb32'))).toBe(true);
  });

  it('normalises all 256 values of each channel to the same float32 bits', async () => {
    const ours = await loadReference({ name: 'every16.png', bytes: files['every16.png'] as Buffer }, spec(16, false));
    expect(bytesOf(ours).equals(python('every16'))).toBe(true);
  });

  it('resamples exactly like Pillow BICUBIC (squash, shortest edge + crop, up and down)', async () => {
    // sharp/libvips resampling differs from Pillow's (by up to 40+ levels when enlarging), so the
    // engine carries its own port of Pillow's arithmetic; different resamplers could not match
    // exactly, this one does.
    const cases: [string, string, PreprocessSpec][] = [
      ['squash48x40', 'rgb48x40.png', spec(32, true)],
      ['crop48x40', 'rgb48x40.png', spec(32, false)],
      ['squash20x30', 'rgb20x30.png', spec(32, true)],
      ['crop20x30', 'rgb20x30.png', spec(32, false)],
      ['crop640x480', 'rgb640x480.png', spec(224, false)],
      ['squash640x480', 'rgb640x480.png', spec(224, true)],
    ];
    for (const [id, name, s] of cases) {
      const ours = await loadReference({ name, bytes: files[name] as Buffer }, s);
      const theirs = asFloat32(python(id));
      const diff = maxAbsDiff(ours, theirs);
      console.log(`resize parity ${id}: max |TS − Python| = ${diff} (normalised units)`);
      expect(diff, id).toBeLessThan(0.1);
      expect(bytesOf(ours).equals(python(id)), id).toBe(true);
    }
    for (const [w, h, tw, th] of resizePairs) {
      const name = `r${w}x${h}.png`;
      const image = await decodeReferenceRgb({ name, bytes: files[name] as Buffer });
      const ours = resizeBicubic(image, tw, th);
      expect(Buffer.from(ours.data).equals(python(`resize${w}x${h}to${tw}x${th}`)), `${w}×${h} → ${tw}×${th}`).toBe(true);
    }
  });

  it('converts alpha, greyscale, 16-bit and palette images like to_rgb', async () => {
    for (const name of ['rgba.png', 'grey.png', 'greyalpha.png', 'grey16.png', 'greyalpha16.png', 'rgb16.png', 'rgba16.png', 'palette.png']) {
      const bytes = files[name] as Buffer;
      const image = await decodeReferenceRgb({ name, bytes });
      const theirs = python(`toRgb:${name}`);
      expect(Buffer.from(image.data).equals(theirs), `${name}: max diff ${maxAbsDiff(image.data, theirs)} levels`).toBe(true);
      const ours = preprocessRgb(image, spec(32, true));
      expect(bytesOf(ours).equals(python(`preprocess:${name}`)), name).toBe(true);
    }
  });

  it('decodes JPEG like Pillow; CMYK differs (ICC transform vs Pillow naive inversion)', async () => {
    const jpeg = await decodeReferenceRgb({ name: 'rgb32.jpg', bytes: files['rgb32.jpg'] as Buffer });
    const jpegDiff = maxAbsDiff(jpeg.data, python('toRgb:rgb32.jpg'));
    console.log(`JPEG decode, sharp (mozjpeg) vs Pillow (libjpeg-turbo): max diff ${jpegDiff} levels`);
    expect(jpegDiff).toBeLessThanOrEqual(2);
    const cmyk = await decodeReferenceRgb({ name: 'cmyk.jpg', bytes: files['cmyk.jpg'] as Buffer });
    const cmykDiff = maxAbsDiff(cmyk.data, python('toRgb:cmyk.jpg'));
    console.log(`CMYK JPEG, sharp ICC transform vs Pillow's CMYK→RGB: max diff ${cmykDiff} levels (informational)`);
  });
});
