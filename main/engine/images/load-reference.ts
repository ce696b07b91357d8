/**
 * Reference images: bytes → 8-bit RGB → the normalised CHW float32 the vision graph takes, the same
 * numbers native-models/mentor_models/preprocess.py computes (BUNDLE.md, `config.preprocess`).
 *
 * Decoding is sharp's (PNG, JPEG, WebP, GIF, TIFF, AVIF; the first frame of animations and
 * multi-page files). The rest follows preprocess.py's `to_rgb` and `preprocess` step by step:
 * - alpha is flattened onto white with Pillow's `alpha_composite` rounding: round((c·a + 255·(255 − a)) / 255);
 * - 16-bit greyscale becomes round(v / 257); other 16-bit images keep the high byte (what Pillow's
 *   PNG decoder does for RGB, RGBA and grey+alpha at 16 bits);
 * - greyscale is copied to the three channels; CMYK goes to sRGB through sharp's ICC transform (the
 *   embedded profile, else a generic one; Pillow's naive CMYK→RGB differs there);
 * - embedded ICC profiles of RGB and grey images are ignored, as Pillow ignores them, so the pixel
 *   values are the file's own;
 * - EXIF orientation is applied (preprocess.py leaves that to whoever opened the image);
 * - an image already size×size is not resampled; otherwise Pillow's bicubic resize (resample.ts,
 *   bit-identical), squashed to a square or shortest-edge resized and centre-cropped;
 * - x · rescale, − mean, / std, each rounded to float32 as numpy does.
 *
 * Every failure is EngineError('image_invalid', `${name}: …`) and says why (empty, not an image,
 * damaged, too large); sharp reports corrupt data as a rejected promise, never a crash.
 */

import sharp from 'sharp';
import { EngineError } from '../errors';
import type { PreprocessSpec, ReferenceInput, RgbImage } from '../types';
import { resizeBicubic } from './resample';

export type ImageLimits = {
  /** Largest accepted file, in bytes. */
  maxBytes: number;
  /** Largest accepted width × height (of the first frame), checked from the header before decoding. */
  maxPixels: number;
};

export const defaultImageLimits: ImageLimits = { maxBytes: 50_000_000, maxPixels: 40_000_000 };

/** Container formats accepted, as `inspectImage` names them. */
export type ImageFormat = 'png' | 'jpeg' | 'webp' | 'gif' | 'tiff' | 'avif';

export type ImageInfo = {
  /** Upright size: after the EXIF orientation is applied. */
  width: number;
  height: number;
  format: ImageFormat;
};

const acceptedFormats = 'PNG, JPEG, WebP, GIF, TIFF and AVIF';

function invalid(name: string, what: string): EngineError {
  return new EngineError('image_invalid', `${name}: ${what}`);
}

function errorText(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).trim();
}

function formatCount(value: number, unit: number): string {
  return String(Number((value / unit).toFixed(3)));
}

function formatBytes(bytes: number): string {
  if (bytes >= 1_000_000) {
    return `${formatCount(bytes, 1_000_000)} MB`;
  }
  return `${bytes} bytes`;
}

type Header = {
  format: ImageFormat;
  width: number;
  height: number;
  uprightWidth: number;
  uprightHeight: number;
  space: string;
  depth: string;
};

function checkBytes(bytes: Uint8Array, name: string, limits: ImageLimits): void {
  if (bytes.length === 0) {
    throw invalid(name, 'is empty (0 bytes)');
  }
  if (bytes.length > limits.maxBytes) {
    throw invalid(name, `is ${formatBytes(bytes.length)}; the limit is ${formatBytes(limits.maxBytes)}`);
  }
}

/** Reads the header only (no pixel data is decoded), then applies the limits. */
async function readHeader(bytes: Uint8Array, name: string, limits: ImageLimits): Promise<Header> {
  checkBytes(bytes, name, limits);
  let meta: sharp.Metadata;
  try {
    // No pixel limit here: the header must be read to report the size; decoding is limited below.
    meta = await sharp(bytes, { limitInputPixels: false }).metadata();
  } catch (error) {
    const text = errorText(error);
    if (/unsupported image format/i.test(text)) {
      throw invalid(name, `is not an image sharp can read (${text})`);
    }
    throw invalid(name, `is damaged or truncated (${text})`);
  }
  let format: ImageFormat;
  switch (meta.format) {
    case 'png':
    case 'jpeg':
    case 'webp':
    case 'gif':
    case 'tiff':
      format = meta.format;
      break;
    case 'heif':
      if (meta.compression !== 'av1') {
        throw invalid(
          name,
          `is a HEIF image compressed with ${meta.compression ?? 'an unknown codec'}, which this build cannot decode; ` +
            `the supported formats are ${acceptedFormats}`,
        );
      }
      format = 'avif';
      break;
    default:
      throw invalid(name, `is a ${String(meta.format)} file; the supported formats are ${acceptedFormats}`);
  }
  const width = meta.width;
  const height = meta.height;
  if (!(width > 0 && height > 0)) {
    throw invalid(name, `is damaged or truncated (the header gives a size of ${width}×${height})`);
  }
  const pixels = width * height;
  if (pixels > limits.maxPixels) {
    let size = `${formatCount(pixels, 1_000_000)} megapixels`;
    let limit = `${formatCount(limits.maxPixels, 1_000_000)} megapixels`;
    if (size === limit) {
      size = `${pixels} pixels`;
      limit = `${limits.maxPixels} pixels`;
    }
    throw invalid(name, `is ${width}×${height} = ${size}; the limit is ${limit}`);
  }
  const swapped = (meta.orientation ?? 1) >= 5;
  return {
    format,
    width,
    height,
    uprightWidth: swapped ? height : width,
    uprightHeight: swapped ? width : height,
    space: String(meta.space ?? ''),
    depth: String(meta.depth ?? ''),
  };
}

function decoder(bytes: Uint8Array, header: Header, limits: ImageLimits): sharp.Sharp {
  return sharp(bytes, {
    // Refuse what the pixel limit refuses even if the header check above were bypassed.
    limitInputPixels: limits.maxPixels,
    // Errors and truncation fail; harmless warnings (stray bytes between JPEG markers) do not.
    failOn: 'error',
    // Pillow ignores ICC profiles; CMYK still needs one (embedded, else sharp's generic CMYK).
    ignoreIcc: header.space !== 'cmyk',
    page: 0,
    pages: 1,
  }).rotate();
}

function decodeFailure(name: string, error: unknown): EngineError {
  return invalid(name, `is damaged or truncated (${errorText(error)})`);
}

/** Checks bytes, format, size and that the whole image decodes; for importing an asset. */
export async function inspectImage(
  bytes: Uint8Array,
  name: string,
  limits: ImageLimits = defaultImageLimits,
): Promise<ImageInfo> {
  const header = await readHeader(bytes, name, limits);
  try {
    // stats() streams every pixel through the decoder without keeping the image.
    await decoder(bytes, header, limits).stats();
  } catch (error) {
    throw decodeFailure(name, error);
  }
  return { width: header.uprightWidth, height: header.uprightHeight, format: header.format };
}

function flatten(c: number, a: number): number {
  // Pillow's alpha_composite over opaque white reduces to this rounding (checked for every c, a).
  return Math.floor((c * a + 255 * (255 - a)) / 255 + 0.5);
}

/** Any channel count (grey, grey+alpha, RGB, RGBA) of 8-bit samples → RGB, alpha flattened onto white. */
function toRgb(samples: ArrayLike<number>, pixels: number, channels: number): Uint8Array {
  const out = new Uint8Array(pixels * 3);
  for (let i = 0, s = 0, o = 0; i < pixels; i++, s += channels, o += 3) {
    if (channels >= 3) {
      let r = samples[s] as number;
      let g = samples[s + 1] as number;
      let b = samples[s + 2] as number;
      if (channels === 4) {
        const a = samples[s + 3] as number;
        r = flatten(r, a);
        g = flatten(g, a);
        b = flatten(b, a);
      }
      out[o] = r;
      out[o + 1] = g;
      out[o + 2] = b;
    } else {
      let v = samples[s] as number;
      if (channels === 2) {
        v = flatten(v, samples[s + 1] as number);
      }
      out[o] = v;
      out[o + 1] = v;
      out[o + 2] = v;
    }
  }
  return out;
}

async function decodeRgb(bytes: Uint8Array, name: string, header: Header, limits: ImageLimits): Promise<RgbImage> {
  const sixteenBit = header.depth === 'ushort' && (header.space === 'grey16' || header.space === 'rgb16');
  const grey = header.space === 'grey16' || header.space === 'b-w';
  let raw: { data: Buffer; info: sharp.OutputInfo };
  try {
    const pipeline = decoder(bytes, header, limits);
    raw = sixteenBit
      ? await pipeline.toColourspace(grey ? 'grey16' : 'rgb16').raw({ depth: 'ushort' }).toBuffer({ resolveWithObject: true })
      : await pipeline.toColourspace('srgb').raw().toBuffer({ resolveWithObject: true });
  } catch (error) {
    throw decodeFailure(name, error);
  }
  const { width, height, channels } = raw.info;
  const pixels = width * height;
  if (channels < 1 || channels > 4) {
    throw invalid(name, `decodes to ${channels} channels; expected 1 to 4`);
  }
  if (!sixteenBit) {
    if (raw.data.length !== pixels * channels) {
      throw invalid(name, `is damaged or truncated (decoded ${raw.data.length} bytes for ${width}×${height}×${channels})`);
    }
    const data = new Uint8Array(raw.data.buffer, raw.data.byteOffset, raw.data.length);
    return { width, height, data: channels === 3 ? data : toRgb(data, pixels, channels) };
  }
  if (raw.data.length !== pixels * channels * 2) {
    throw invalid(name, `is damaged or truncated (decoded ${raw.data.length} bytes for 16-bit ${width}×${height}×${channels})`);
  }
  const aligned = raw.data.byteOffset % 2 === 0 ? raw.data : Buffer.from(raw.data);
  const wide = new Uint16Array(aligned.buffer, aligned.byteOffset, pixels * channels);
  const narrow = new Uint8Array(pixels * channels);
  if (channels === 1) {
    // preprocess.py: np.clip(v / 257 + 0.5, 0, 255).astype(uint8) for Pillow's I;16 mode.
    for (let i = 0; i < narrow.length; i++) {
      narrow[i] = Math.min(255, Math.floor((wide[i] as number) / 257 + 0.5));
    }
  } else {
    // Pillow decodes 16-bit RGB, RGBA and LA PNGs to 8 bits by keeping the high byte.
    for (let i = 0; i < narrow.length; i++) {
      narrow[i] = (wide[i] as number) >> 8;
    }
  }
  return { width, height, data: toRgb(narrow, pixels, channels) };
}

/**
 * Decodes an image to upright 8-bit RGB with alpha flattened onto white (preprocess.py's `to_rgb`
 * plus the EXIF orientation), after the same checks as `inspectImage`.
 */
export async function decodeReferenceRgb(input: ReferenceInput, limits: ImageLimits = defaultImageLimits): Promise<RgbImage> {
  const header = await readHeader(input.bytes, input.name, limits);
  return decodeRgb(input.bytes, input.name, header, limits);
}

/** Python's round(): halves go to the even neighbour. */
function roundHalfEven(x: number): number {
  const floor = Math.floor(x);
  const fraction = x - floor;
  if (fraction > 0.5) {
    return floor + 1;
  }
  if (fraction < 0.5) {
    return floor;
  }
  return floor % 2 === 0 ? floor : floor + 1;
}

function checkSpec(spec: PreprocessSpec): void {
  const problems: string[] = [];
  if (!Number.isInteger(spec.size) || spec.size < 1) {
    problems.push(`size is ${spec.size}`);
  }
  if (spec.resize !== 'bicubic') {
    problems.push(`resize is "${spec.resize}" (this engine does "bicubic")`);
  }
  if (spec.crop !== 'center') {
    problems.push(`crop is "${spec.crop}" (this engine does "center")`);
  }
  if (spec.layout !== 'NCHW') {
    problems.push(`layout is "${String(spec.layout)}" (this engine does "NCHW")`);
  }
  if (!Number.isFinite(spec.rescale)) {
    problems.push(`rescale is ${spec.rescale}`);
  }
  if (spec.mean.length !== 3 || !spec.mean.every(Number.isFinite)) {
    problems.push('mean must be 3 finite numbers');
  }
  if (spec.std.length !== 3 || !spec.std.every((s) => Number.isFinite(s) && s !== 0)) {
    problems.push('std must be 3 finite non-zero numbers');
  }
  if (problems.length > 0) {
    throw new EngineError('bundle_invalid', `config.preprocess: ${problems.join('; ')}`);
  }
}

/** preprocess.py's geometry: keep, squash to a square, or shortest-edge resize then centre crop. */
export function resizeForSpec(image: RgbImage, spec: Pick<PreprocessSpec, 'size' | 'squashToSquare'>): RgbImage {
  const size = spec.size;
  if (image.width === size && image.height === size) {
    return image;
  }
  if (spec.squashToSquare) {
    return resizeBicubic(image, size, size);
  }
  const { width: w, height: h } = image;
  const scale = size / Math.min(w, h);
  const rw = Math.max(size, roundHalfEven(w * scale));
  const rh = Math.max(size, roundHalfEven(h * scale));
  const resized = resizeBicubic(image, rw, rh);
  const left = Math.floor((rw - size) / 2);
  const top = Math.floor((rh - size) / 2);
  if (rw === size && rh === size) {
    return resized;
  }
  const data = new Uint8Array(size * size * 3);
  for (let y = 0; y < size; y++) {
    const from = ((top + y) * rw + left) * 3;
    data.set(resized.data.subarray(from, from + size * 3), y * size * 3);
  }
  return { width: size, height: size, data };
}

/**
 * 8-bit RGB → CHW float32, `(x · rescale − mean) / std` per channel with every step rounded to
 * float32 as numpy's float32 arithmetic does (a float64 result of one operation on float32 inputs,
 * rounded once to float32, is the correctly rounded float32 result).
 */
export function normalise(image: RgbImage, spec: Pick<PreprocessSpec, 'rescale' | 'mean' | 'std'>): Float32Array {
  const pixels = image.width * image.height;
  if (image.data.length !== pixels * 3) {
    throw new RangeError(`normalise: ${image.width}×${image.height} RGB needs ${pixels * 3} bytes, got ${image.data.length}`);
  }
  const rescale = Math.fround(spec.rescale);
  const out = new Float32Array(3 * pixels);
  for (let c = 0; c < 3; c++) {
    const mean = Math.fround(spec.mean[c] as number);
    const std = Math.fround(spec.std[c] as number);
    const table = new Float32Array(256);
    for (let v = 0; v < 256; v++) {
      table[v] = Math.fround(Math.fround(Math.fround(v * rescale) - mean) / std);
    }
    const plane = c * pixels;
    for (let i = 0; i < pixels; i++) {
      out[plane + i] = table[image.data[i * 3 + c] as number] as number;
    }
  }
  return out;
}

/** 8-bit RGB → the vision graph's input for one image: float32 [3, size, size]. */
export function preprocessRgb(image: RgbImage, spec: PreprocessSpec): Float32Array {
  checkSpec(spec);
  return normalise(resizeForSpec(image, spec), spec);
}

/** A reference image's bytes → float32 [3 · size · size], CHW, normalised per `spec`. */
export async function loadReference(
  input: ReferenceInput,
  spec: PreprocessSpec,
  limits: ImageLimits = defaultImageLimits,
): Promise<Float32Array> {
  checkSpec(spec);
  const image = await decodeReferenceRgb(input, limits);
  return normalise(resizeForSpec(image, spec), spec);
}
