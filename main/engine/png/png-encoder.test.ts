import { deflateSync } from 'node:zlib';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { EngineError } from '../errors';
import type { RgbImage } from '../types';
import { crc32, decodePngRgb, encodePng, pngChunk, readPngText } from './png-encoder';

function testImage(width: number, height: number): RgbImage {
  const data = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const o = (y * width + x) * 3;
      data[o] = (x * 255) / Math.max(1, width - 1);
      data[o + 1] = (y * 255) / Math.max(1, height - 1);
      data[o + 2] = (x * 31 + y * 17) % 256;
    }
  }
  return { width, height, data };
}

function chunks(png: Buffer): { type: string; offset: number; length: number }[] {
  const out: { type: string; offset: number; length: number }[] = [];
  for (let offset = 8; offset < png.length; ) {
    const length = png.readUInt32BE(offset);
    out.push({ type: png.toString('latin1', offset + 4, offset + 8), offset, length });
    offset += 12 + length;
  }
  return out;
}

describe('crc32', () => {
  it('matches the standard check value', () => {
    expect(crc32(Buffer.from('123456789'))).toBe(0xcbf43926);
    expect(crc32(new Uint8Array(0))).toBe(0);
  });
});

describe('encodePng', () => {
  it('writes pixels sharp and Pillow-style decoders read back exactly', async () => {
    for (const [w, h] of [
      [1, 1],
      [7, 3],
      [64, 48],
    ] as const) {
      const image = testImage(w, h);
      const png = encodePng(image, {});
      const decoded = await decodePngRgb(png);
      expect(decoded).toMatchObject({ width: w, height: h });
      expect(Buffer.from(decoded.data).equals(Buffer.from(image.data))).toBe(true);
      const meta = await sharp(png).metadata();
      expect([meta.format, meta.channels, meta.depth]).toEqual(['png', 3, 'uchar']);
    }
  });

  it('is deterministic and orders IHDR, text, IDAT, IEND', () => {
    const image = testImage(16, 16);
    const text = { mentor: '{"a":1}', parameters: 'a cat\nSteps: 1' };
    const a = encodePng(image, text);
    const b = encodePng({ ...image, data: image.data.slice() }, { ...text });
    expect(a.equals(b)).toBe(true);
    expect(chunks(a).map((c) => c.type)).toEqual(['IHDR', 'tEXt', 'tEXt', 'IDAT', 'IEND']);
  });

  it('uses tEXt for Latin-1 and uncompressed UTF-8 iTXt otherwise', () => {
    const text = { latin: 'café, naïve\nsecond line', unicode: '猫と帽子 🎩', tab: 'a\tb' };
    const png = encodePng(testImage(2, 2), text);
    expect(chunks(png).map((c) => c.type)).toEqual(['IHDR', 'tEXt', 'iTXt', 'iTXt', 'IDAT', 'IEND']);
    expect(readPngText(png)).toEqual(text);
    const itxt = chunks(png)[2]!;
    const body = png.subarray(itxt.offset + 8, itxt.offset + 8 + itxt.length);
    // keyword, NUL, flag 0, method 0, empty language + NUL, empty translated keyword + NUL
    expect([...body.subarray(0, 'unicode'.length + 5)].slice(-5)).toEqual([0, 0, 0, 0, 0]);
  });

  it('refuses invalid keywords, NUL in values and a wrong data length', () => {
    const image = testImage(2, 2);
    for (const key of ['', 'x'.repeat(80), ' lead', 'trail ', 'two  spaces', 'ключ']) {
      expect(() => encodePng(image, { [key]: 'v' }), key).toThrow(RangeError);
    }
    expect(() => encodePng(image, { k: 'a\0b' })).toThrow(/NUL/);
    expect(() => encodePng({ width: 2, height: 2, data: new Uint8Array(11) }, {})).toThrow(/needs 12 bytes/);
    expect(encodePng(image, { ['x'.repeat(79)]: 'ok' }).length).toBeGreaterThan(0);
  });
});

describe('readPngText', () => {
  it('reads tEXt, zTXt and compressed iTXt written by others (sharp, hand-made chunks)', async () => {
    const base = encodePng(testImage(4, 4), {});
    const iend = base.length - 12;
    const ztxt = pngChunk('zTXt', Buffer.concat([Buffer.from('Comment\0\0', 'latin1'), deflateSync(Buffer.from('zipped, Latin-1 é', 'latin1'))]));
    const itxt = pngChunk(
      'iTXt',
      Buffer.concat([Buffer.from('Title\0\x01\x00en\0Titel\0', 'latin1'), deflateSync(Buffer.from('猫 compressed', 'utf8'))]),
    );
    const png = Buffer.concat([base.subarray(0, iend), ztxt, itxt, base.subarray(iend)]);
    expect(readPngText(png)).toEqual({ Comment: 'zipped, Latin-1 é', Title: '猫 compressed' });
    // The spliced file is still a valid PNG for other decoders.
    expect((await decodePngRgb(png)).width).toBe(4);
  });

  it('keeps "__proto__" as an ordinary key', () => {
    const text = readPngText(encodePng(testImage(1, 1), { ['__proto__']: 'x', a: 'b' }));
    expect(Object.keys(text)).toEqual(['__proto__', 'a']);
    expect(Object.getPrototypeOf(text)).toBe(Object.prototype);
  });

  it('names the chunk whose CRC is wrong', () => {
    const png = encodePng(testImage(4, 4), { parameters: 'hello' });
    const text = chunks(png).find((c) => c.type === 'tEXt')!;
    const broken = Buffer.from(png);
    broken.writeUInt8(broken.readUInt8(text.offset + 9) ^ 0x20, text.offset + 9);
    let error: unknown;
    try {
      readPngText(broken, 'out.png');
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(EngineError);
    expect((error as EngineError).code).toBe('image_invalid');
    expect((error as EngineError).message).toMatch(new RegExp(`^out\\.png: chunk tEXt at byte ${text.offset} has a bad CRC \\(stored 0x[0-9a-f]{8}, computed 0x[0-9a-f]{8}\\)$`));
    const idat = chunks(png).find((c) => c.type === 'IDAT')!;
    const brokenIdat = Buffer.from(png);
    brokenIdat.writeUInt8(brokenIdat.readUInt8(idat.offset + 10) ^ 1, idat.offset + 10);
    expect(() => readPngText(brokenIdat)).toThrow(`PNG: chunk IDAT at byte ${idat.offset} has a bad CRC`);
  });

  it('refuses a non-PNG, a truncated file and a zip bomb', () => {
    expect(() => readPngText(Buffer.from('not a png at all'))).toThrow('PNG: is not a PNG (no PNG signature)');
    const png = encodePng(testImage(8, 8), { a: 'b' });
    expect(() => readPngText(png.subarray(0, png.length - 12))).toThrow(/is truncated: it ends at byte \d+ before the IEND chunk/);
    expect(() => readPngText(png.subarray(0, 47))).toThrow("is truncated: chunk tEXt at byte 33 claims 3 bytes, the file ends first");
    const iend = png.length - 12;
    const bomb = pngChunk('zTXt', Buffer.concat([Buffer.from('bomb\0\0', 'latin1'), deflateSync(Buffer.alloc(64 * 1024 * 1024))]));
    expect(() => readPngText(Buffer.concat([png.subarray(0, iend), bomb, png.subarray(iend)]))).toThrow(/zTXt chunk does not inflate/);
  });
});
