import * as ort from 'onnxruntime-node';
import type { RgbImage } from '../types';

type PreviewConfig = { grid: number; imageSize: number };

/** Pending rows shown as mid grey, so a half-done preview reads as "in progress", not as content. */
const pendingGrey = 128;

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
