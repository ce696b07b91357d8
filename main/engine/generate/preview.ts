import * as ort from 'onnxruntime-node';
import type { RgbImage } from '../types';

type PreviewConfig = { grid: number; imageSize: number };

/** Pending rows shown as mid grey, so a half-done preview reads as "in progress", not as content. */
const pendingGrey = 128;

/**
 * The largest share of a generation's decode time that previews may take. A preview is a whole VQ
 * decode: milliseconds on a GPU, but 2.2 s for a 256 px image on 2 CPU cores. There a row of the
 * GPT-B-sized model takes 0.5 s, so previews at the 500 ms interval alone made an image four times
 * slower (50 s instead of 12.6 s). Under this budget the same image gets one early preview, while
 * a GPU, where the decode is cheap, still gets one every interval.
 */
export const previewTimeShare = 0.2;

export type PreviewClock = {
  /** Now, and when decoding started (ms, the same clock). */
  now: number;
  decodeStarted: number;
  /** When the last preview was made (-Infinity before the first). */
  lastPreview: number;
  /** Time spent making previews so far in this generation. */
  previewMs: number;
  /** Minimum time between previews; Infinity = none. */
  intervalMs: number;
};

/** Whether to make a preview now: the interval has passed, and previews stay within their share of the time. */
export function previewDue(clock: PreviewClock): boolean {
  if (!Number.isFinite(clock.intervalMs) || clock.now - clock.lastPreview < clock.intervalMs) {
    return false;
  }
  return clock.previewMs <= previewTimeShare * (clock.now - clock.decodeStarted);
}

/** Decodes the first `done` tokens of one variation; rows not sampled yet are painted grey. */
export async function partialPreview(vqDecode: ort.InferenceSession, tokens: BigInt64Array, done: number, config: PreviewConfig): Promise<RgbImage> {
  const { grid, imageSize } = config;
  const partial = new BigInt64Array(grid * grid);
  partial.set(tokens.subarray(0, done));
  const out = await vqDecode.run({ tokens: new ort.Tensor('int64', partial, [1, grid * grid]) });
  const data = new Uint8Array((out.image?.data as Uint8Array) ?? new Uint8Array(imageSize * imageSize * 3));
  const rowsDone = Math.floor(done / grid);
  const pixelRowsDone = Math.floor((rowsDone * imageSize) / grid);
  data.fill(pendingGrey, pixelRowsDone * imageSize * 3);
  return { width: imageSize, height: imageSize, data };
}
