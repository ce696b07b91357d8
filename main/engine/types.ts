/** Shapes shared by the engine's parts (bundle, images, prompt, generation, worker). */

/** 8-bit RGB, row-major, 3 bytes a pixel (what the VQ graph returns and the PNG writer takes). */
export type RgbImage = { width: number; height: number; data: Uint8Array };

/** A reference image as it arrives: bytes plus a name for error messages (file name or asset id). */
export type ReferenceInput = { name: string; bytes: Uint8Array };

/** The bundle graphs, by manifest key (BUNDLE.md). */
export type GraphKey = 'vision' | 'textEncoder' | 'prefill' | 'decode' | 'vqDecode';
export const graphKeys: readonly GraphKey[] = ['vision', 'textEncoder', 'prefill', 'decode', 'vqDecode'];

/** manifest.config.preprocess (BUNDLE.md). */
export type PreprocessSpec = {
  size: number;
  squashToSquare: boolean;
  resize: string;
  crop: string;
  rescale: number;
  mean: [number, number, number];
  std: [number, number, number];
  layout: 'NCHW';
};
