/**
 * Bicubic resampling with the same arithmetic as Pillow's `Image.resize(size, BICUBIC)` on an 8-bit
 * RGB image (no `reducing_gap`), so the engine and native-models/mentor_models/preprocess.py give the
 * same pixels for a resized reference, bit for bit.
 *
 * Why not sharp's resize: libvips resamples with other conventions (a box pre-shrink on large
 * reductions, another pixel-centre alignment when enlarging); against Pillow it was off by up to
 * 5–7 levels when reducing 640×480 or 1000×1000 to 224, and by up to 40–51 levels (mean 12–14) when
 * enlarging 20×30 → 32 or 300×200 → 299. A different reference embedding can change every token.
 *
 * The algorithm: a separable convolution, horizontal pass first, then vertical. For each output
 * sample the cubic kernel (a = −0.5, support 2) is stretched by the reduction factor (never shrunk
 * when enlarging), evaluated at the input pixel centres that fall within its support, normalised to
 * sum 1, then turned into 22-bit fixed-point integers. Each pass rounds and clamps to 0…255.
 */

import type { RgbImage } from '../types';

/** Fixed-point fraction bits of the coefficients (32 − 8 − 2: the sums stay within int32). */
const precisionBits = 22;
const one = 1 << precisionBits;
const half = 1 << (precisionBits - 1);

const cubicSupport = 2;

/** Keys' cubic convolution kernel with a = −0.5 (Catmull-Rom), in the operation order Pillow uses. */
function cubic(x: number): number {
  const a = -0.5;
  const t = x < 0 ? -x : x;
  if (t < 1) {
    return ((a + 2) * t - (a + 3)) * t * t + 1;
  }
  if (t < 2) {
    return (((t - 5) * t + 8) * t - 4) * a;
  }
  return 0;
}

type Coefficients = {
  /** Taps a output sample may use (the row stride of `weights`). */
  taps: number;
  /** Per output sample: first input index and number of inputs used. */
  first: Int32Array;
  count: Int32Array;
  /** Fixed-point weights, `taps` per output sample. */
  weights: Int32Array;
};

function coefficients(inSize: number, outSize: number): Coefficients {
  const scale = inSize / outSize;
  const filterScale = scale < 1 ? 1 : scale;
  const support = cubicSupport * filterScale;
  const taps = Math.ceil(support) * 2 + 1;
  const first = new Int32Array(outSize);
  const count = new Int32Array(outSize);
  const weights = new Int32Array(outSize * taps);
  const doubles = new Float64Array(taps);
  const inverse = 1 / filterScale;
  for (let out = 0; out < outSize; out++) {
    const centre = (out + 0.5) * scale;
    // C's (int) cast truncates toward zero; negative starts clamp to 0 either way.
    const lo = Math.max(0, Math.trunc(centre - support + 0.5));
    const hi = Math.min(inSize, Math.trunc(centre + support + 0.5));
    const n = hi - lo;
    let sum = 0;
    for (let i = 0; i < n; i++) {
      const w = cubic((i + lo - centre + 0.5) * inverse);
      doubles[i] = w;
      sum += w;
    }
    for (let i = 0; i < n; i++) {
      const w = sum !== 0 ? (doubles[i] as number) / sum : (doubles[i] as number);
      weights[out * taps + i] = w < 0 ? Math.trunc(-0.5 + w * one) : Math.trunc(0.5 + w * one);
    }
    first[out] = lo;
    count[out] = n;
  }
  return { taps, first, count, weights };
}

function clip8(sum: number): number {
  const v = sum >> precisionBits;
  return v < 0 ? 0 : v > 255 ? 255 : v;
}

/** Resamples 8-bit RGB to `width`×`height` (aspect ignored) with Pillow's bicubic arithmetic. */
export function resizeBicubic(image: RgbImage, width: number, height: number): RgbImage {
  const { width: inW, height: inH, data } = image;
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) {
    throw new RangeError(`resizeBicubic: target size must be positive integers, got ${width}×${height}`);
  }
  if (data.length !== inW * inH * 3) {
    throw new RangeError(`resizeBicubic: ${inW}×${inH} RGB needs ${inW * inH * 3} bytes, got ${data.length}`);
  }
  if (inW === width && inH === height) {
    return { width, height, data: data.slice() };
  }
  const horizontal = coefficients(inW, width);
  const vertical = coefficients(inH, height);

  // Only the input rows the vertical pass reads go through the horizontal pass.
  const rowFirst = vertical.first[0] as number;
  const rowEnd = (vertical.first[height - 1] as number) + (vertical.count[height - 1] as number);

  let src = data;
  let srcW = inW;
  let srcRowOffset = 0;
  if (inW !== width) {
    const rows = rowEnd - rowFirst;
    const tmp = new Uint8Array(width * rows * 3);
    const { taps, first, count, weights } = horizontal;
    for (let y = 0; y < rows; y++) {
      const inRow = (y + rowFirst) * inW * 3;
      const outRow = y * width * 3;
      for (let x = 0; x < width; x++) {
        const lo = first[x] as number;
        const n = count[x] as number;
        const k = x * taps;
        let r = half;
        let g = half;
        let b = half;
        let p = inRow + lo * 3;
        // int32 arithmetic, as in C: the 22-bit weights keep every partial sum within int32.
        for (let i = 0; i < n; i++, p += 3) {
          const w = weights[k + i] as number;
          r = (r + Math.imul(data[p] as number, w)) | 0;
          g = (g + Math.imul(data[p + 1] as number, w)) | 0;
          b = (b + Math.imul(data[p + 2] as number, w)) | 0;
        }
        const o = outRow + x * 3;
        tmp[o] = clip8(r);
        tmp[o + 1] = clip8(g);
        tmp[o + 2] = clip8(b);
      }
    }
    src = tmp;
    srcW = width;
    srcRowOffset = rowFirst;
  }
  if (inH === height) {
    return { width, height, data: src === data ? data.slice() : src };
  }
  const out = new Uint8Array(width * height * 3);
  const { taps, first, count, weights } = vertical;
  const stride = srcW * 3;
  for (let y = 0; y < height; y++) {
    const lo = (first[y] as number) - srcRowOffset;
    const n = count[y] as number;
    const k = y * taps;
    const outRow = y * width * 3;
    for (let x = 0; x < srcW * 3; x++) {
      let s = half;
      let p = lo * stride + x;
      for (let i = 0; i < n; i++, p += stride) {
        s = (s + Math.imul(src[p] as number, weights[k + i] as number)) | 0;
      }
      out[outRow + x] = clip8(s);
    }
  }
  return { width, height, data: out };
}
