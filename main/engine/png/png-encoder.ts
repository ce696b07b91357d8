/**
 * A small PNG writer and text-chunk reader (PNG spec, ISO/IEC 15948 / W3C PNG 3rd edition).
 *
 * `encodePng` writes 8-bit RGB, non-interlaced: IHDR, one text chunk per entry (tEXt when the value
 * is printable Latin-1, else uncompressed UTF-8 iTXt), IDAT, IEND. No time or other varying chunk:
 * the same pixels and text give the same bytes (for a given Node/zlib build). Rows are filtered with
 * the usual minimum-sum-of-absolute-differences choice among the five filters, then deflated at a
 * fixed level.
 *
 * `readPngText` checks every chunk's CRC and returns the tEXt, zTXt and iTXt entries.
 */

import { deflateSync, inflateSync } from 'node:zlib';
import sharp from 'sharp';
import { EngineError } from '../errors';
import type { RgbImage } from '../types';

const signature = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** zlib level for IDAT: fixed so output is reproducible. */
export const pngDeflateLevel = 6;

/** The most text a zTXt or compressed iTXt chunk may inflate to (a guard against zip bombs). */
const maxInflatedText = 16 * 1024 * 1024;

const crcTable = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) {
      c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    }
    table[n] = c >>> 0;
  }
  return table;
})();

/** CRC-32 (ISO 3309, the one PNG and zlib use) of `bytes`. */
export function crc32(bytes: Uint8Array, start = 0, end = bytes.length): number {
  let c = 0xffffffff;
  for (let i = start; i < end; i++) {
    c = (crcTable[(c ^ (bytes[i] as number)) & 0xff] as number) ^ (c >>> 8);
  }
  return (c ^ 0xffffffff) >>> 0;
}

/** One PNG chunk: length, type, data, CRC (also how tests hand-craft damaged files). */
export function pngChunk(type: string, data: Uint8Array): Buffer {
  const out = Buffer.alloc(12 + data.length);
  out.writeUInt32BE(data.length, 0);
  out.write(type, 4, 'latin1');
  out.set(data, 8);
  out.writeUInt32BE(crc32(out, 4, 8 + data.length), 8 + data.length);
  return out;
}

/** Printable Latin-1 and line feed: what a tEXt value may hold. */
const tEXtSafe = /^[\n\x20-\x7e\xa1-\xff]*$/;

function checkKeyword(key: string): void {
  // 1–79 Latin-1 printable characters, no leading, trailing or doubled spaces.
  if (key.length < 1 || key.length > 79 || !/^[\x21-\x7e\xa1-\xff]+( [\x21-\x7e\xa1-\xff]+)*$/.test(key)) {
    throw new RangeError(
      `PNG text keyword ${JSON.stringify(key)} is invalid: 1–79 printable Latin-1 characters, no leading, trailing or double spaces`,
    );
  }
}

function textChunk(key: string, value: string): Buffer {
  checkKeyword(key);
  if (value.includes('\0')) {
    throw new RangeError(`PNG text value of ${JSON.stringify(key)} contains a NUL character`);
  }
  const keyword = Buffer.from(key, 'latin1');
  if (tEXtSafe.test(value)) {
    return pngChunk('tEXt', Buffer.concat([keyword, Buffer.from([0]), Buffer.from(value, 'latin1')]));
  }
  // iTXt: keyword, NUL, compression flag 0, method 0, empty language tag, NUL, empty translated keyword, NUL, UTF-8 text.
  return pngChunk('iTXt', Buffer.concat([keyword, Buffer.from([0, 0, 0, 0, 0]), Buffer.from(value, 'utf8')]));
}

function paeth(a: number, b: number, c: number): number {
  const p = a + b - c;
  const pa = Math.abs(p - a);
  const pb = Math.abs(p - b);
  const pc = Math.abs(p - c);
  if (pa <= pb && pa <= pc) {
    return a;
  }
  return pb <= pc ? b : c;
}

/** Filters every row (filter byte + bytes), choosing per row the filter with the least sum of |signed byte|. */
function filterRows(data: Uint8Array, width: number, height: number): Buffer {
  const stride = width * 3;
  const bpp = 3;
  const out = Buffer.alloc(height * (stride + 1));
  const candidate = new Uint8Array(stride);
  const best = new Uint8Array(stride);
  for (let y = 0; y < height; y++) {
    const row = y * stride;
    const prior = row - stride;
    let bestFilter = 0;
    let bestScore = Infinity;
    for (let filter = 0; filter < 5; filter++) {
      let score = 0;
      for (let i = 0; i < stride; i++) {
        const x = data[row + i] as number;
        const a = i >= bpp ? (data[row + i - bpp] as number) : 0;
        const b = y > 0 ? (data[prior + i] as number) : 0;
        const c = y > 0 && i >= bpp ? (data[prior + i - bpp] as number) : 0;
        let v: number;
        switch (filter) {
          case 0:
            v = x;
            break;
          case 1:
            v = x - a;
            break;
          case 2:
            v = x - b;
            break;
          case 3:
            v = x - ((a + b) >> 1);
            break;
          default:
            v = x - paeth(a, b, c);
        }
        v &= 0xff;
        candidate[i] = v;
        score += v < 128 ? v : 256 - v;
      }
      if (score < bestScore) {
        bestScore = score;
        bestFilter = filter;
        best.set(candidate);
      }
    }
    const o = y * (stride + 1);
    out[o] = bestFilter;
    out.set(best, o + 1);
  }
  return out;
}

/** 8-bit RGB → PNG bytes with `text` as tEXt/iTXt chunks (in the record's order, before IDAT). */
export function encodePng(image: RgbImage, text: Record<string, string> = {}): Buffer {
  const { width, height, data } = image;
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1 || width > 0x7fffffff || height > 0x7fffffff) {
    throw new RangeError(`encodePng: invalid size ${width}×${height}`);
  }
  if (data.length !== width * height * 3) {
    throw new RangeError(`encodePng: ${width}×${height} RGB needs ${width * height * 3} bytes, got ${data.length}`);
  }
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 2; // colour type: RGB
  // compression 0, filter method 0, interlace 0
  const chunks: Buffer[] = [signature, pngChunk('IHDR', ihdr)];
  for (const [key, value] of Object.entries(text)) {
    chunks.push(textChunk(key, value));
  }
  chunks.push(pngChunk('IDAT', deflateSync(filterRows(data, width, height), { level: pngDeflateLevel })));
  chunks.push(pngChunk('IEND', new Uint8Array(0)));
  return Buffer.concat(chunks);
}

function pngError(name: string, what: string): EngineError {
  return new EngineError('image_invalid', `${name}: ${what}`);
}

function inflateText(name: string, type: string, bytes: Uint8Array): Buffer {
  try {
    return inflateSync(bytes, { maxOutputLength: maxInflatedText });
  } catch (error) {
    throw pngError(name, `${type} chunk does not inflate (${error instanceof Error ? error.message : String(error)})`);
  }
}

function splitNul(bytes: Buffer, from: number, name: string, type: string): [Buffer, number] {
  const end = bytes.indexOf(0, from);
  if (end < 0) {
    throw pngError(name, `${type} chunk lacks a NUL separator`);
  }
  return [bytes.subarray(from, end), end + 1];
}

function parseTextChunk(name: string, type: string, data: Buffer): [string, string] {
  const [keyword, rest] = splitNul(data, 0, name, type);
  const key = keyword.toString('latin1');
  if (type === 'tEXt') {
    return [key, data.subarray(rest).toString('latin1')];
  }
  if (type === 'zTXt') {
    if (data[rest] !== 0) {
      throw pngError(name, `zTXt chunk "${key}" uses compression method ${String(data[rest])}`);
    }
    return [key, inflateText(name, type, data.subarray(rest + 1)).toString('latin1')];
  }
  // iTXt
  const compressed = data[rest];
  const method = data[rest + 1];
  if (compressed === undefined || method === undefined) {
    throw pngError(name, `iTXt chunk "${key}" is truncated`);
  }
  const [, afterLanguage] = splitNul(data, rest + 2, name, type);
  const [, textStart] = splitNul(data, afterLanguage, name, type);
  const body = data.subarray(textStart);
  if (compressed === 0) {
    return [key, body.toString('utf8')];
  }
  if (method !== 0) {
    throw pngError(name, `iTXt chunk "${key}" uses compression method ${method}`);
  }
  return [key, inflateText(name, type, body).toString('utf8')];
}

/**
 * The text entries of a PNG (tEXt, zTXt, iTXt; the first of a repeated keyword wins). Every chunk's
 * CRC is checked: a mismatch, a truncated chunk or a missing IEND is an EngineError('image_invalid')
 * naming the chunk and its byte offset.
 */
export function readPngText(bytes: Uint8Array, name = 'PNG'): Record<string, string> {
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (buffer.length < 8 || !buffer.subarray(0, 8).equals(signature)) {
    throw pngError(name, 'is not a PNG (no PNG signature)');
  }
  // A Map, not an object, so that a keyword like "__proto__" stays an ordinary entry.
  const text = new Map<string, string>();
  let offset = 8;
  for (;;) {
    if (offset + 12 > buffer.length) {
      throw pngError(name, `is truncated: it ends at byte ${buffer.length} before the IEND chunk`);
    }
    const length = buffer.readUInt32BE(offset);
    const type = buffer.toString('latin1', offset + 4, offset + 8);
    if (!/^[A-Za-z]{4}$/.test(type)) {
      throw pngError(name, `has an invalid chunk type at byte ${offset}`);
    }
    if (length > 0x7fffffff || offset + 12 + length > buffer.length) {
      throw pngError(name, `is truncated: chunk ${type} at byte ${offset} claims ${length} bytes, the file ends first`);
    }
    const stored = buffer.readUInt32BE(offset + 8 + length);
    const computed = crc32(buffer, offset + 4, offset + 8 + length);
    if (stored !== computed) {
      const hex = (n: number) => `0x${n.toString(16).padStart(8, '0')}`;
      throw pngError(name, `chunk ${type} at byte ${offset} has a bad CRC (stored ${hex(stored)}, computed ${hex(computed)})`);
    }
    const data = buffer.subarray(offset + 8, offset + 8 + length);
    if (type === 'tEXt' || type === 'zTXt' || type === 'iTXt') {
      const [key, value] = parseTextChunk(name, type, data);
      if (!text.has(key)) {
        text.set(key, value);
      }
    }
    offset += 12 + length;
    if (type === 'IEND') {
      return Object.fromEntries(text);
    }
  }
}

/** Decodes a PNG to 8-bit RGB with sharp (alpha dropped); for tests and previews. */
export async function decodePngRgb(bytes: Uint8Array): Promise<RgbImage> {
  const { data, info } = await sharp(bytes).removeAlpha().toColourspace('srgb').raw().toBuffer({ resolveWithObject: true });
  return { width: info.width, height: info.height, data: new Uint8Array(data.buffer, data.byteOffset, data.length) };
}
