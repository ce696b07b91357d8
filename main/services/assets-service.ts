import type { ImageMetadata } from '../../preload/contract';
import type { AssetStore } from '../library/asset-store';
import type { ModelsRepository } from '../library/models-repository';
import { isEngineError } from '../engine/errors';
import { inspectImage, type ImageFormat } from '../engine/images/load-reference';
import { parseGenerationMetadata, type GenerationMetadata } from '../engine/png/generation-metadata';
import { readPngText } from '../engine/png/png-encoder';
import type { StudioServices } from './router';
import { StudioFailure } from './studio-failure';

type AssetsService = Pick<StudioServices, 'assets:import' | 'assets:readMetadata'>;

const mimeByFormat: Record<ImageFormat, string> = {
  png: 'image/png',
  jpeg: 'image/jpeg',
  webp: 'image/webp',
  gif: 'image/gif',
  tiff: 'image/tiff',
  avif: 'image/avif',
};

const base64Pattern = /^[A-Za-z0-9+/]*={0,2}$/;

/**
 * Reference images: the bytes are checked to be a whole, decodable image of a sane size before they are
 * stored, so a bad file is refused when it is dropped, not when a generation later runs on it.
 */
export function createAssetsService(assets: AssetStore, models: Pick<ModelsRepository, 'list'>): AssetsService {
  return {
    'assets:import': async ({ name, dataBase64 }) => {
      const label = name.trim() === '' ? 'The image' : name;
      if (!base64Pattern.test(dataBase64)) {
        throw new StudioFailure('image_invalid', `${label}: the data is not base64`);
      }
      const bytes = Buffer.from(dataBase64, 'base64');
      let info;
      try {
        info = await inspectImage(bytes, label);
      } catch (error) {
        if (isEngineError(error)) {
          throw new StudioFailure('image_invalid', error.message);
        }
        throw error;
      }
      const stored = assets.put(bytes, {
        mime: mimeByFormat[info.format],
        originalName: name,
        width: info.width,
        height: info.height,
      });
      return { sha256: stored.sha256, width: info.width, height: info.height };
    },

    'assets:readMetadata': ({ dataBase64 }) => {
      if (!base64Pattern.test(dataBase64)) {
        throw new StudioFailure('image_invalid', 'The image data is not base64');
      }
      const metadata = readGenerationMetadata(Buffer.from(dataBase64, 'base64'));
      if (metadata === null) {
        return { metadata: null };
      }
      const model = models.list().find((candidate) => candidate.bundleSha256 === metadata.model.bundleSha256);
      const result: ImageMetadata = {
        prompt: metadata.prompt,
        seed: metadata.seed,
        variation: metadata.variation,
        params: metadata.params,
        references: metadata.references.map((sha256) => ({ sha256, inLibrary: assets.has(sha256) })),
        bundleSha256: metadata.model.bundleSha256,
        modelId: model?.id ?? null,
      };
      return { metadata: result };
    },
  };
}

const pngSignature = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/**
 * How a dropped image was generated, or null when it does not say: not a PNG (a JPEG, a WebP), a PNG
 * without text, or one whose only `parameters` text was written by another tool. A damaged PNG, or one
 * whose `mentor` text is broken, is refused: the user should hear the file is bad, not that it has no
 * parameters.
 */
function readGenerationMetadata(bytes: Buffer): GenerationMetadata | null {
  if (bytes.length < pngSignature.length || !bytes.subarray(0, pngSignature.length).equals(pngSignature)) {
    return null;
  }
  let text: Record<string, string>;
  try {
    text = readPngText(bytes, 'The image');
  } catch (error) {
    throw asImageInvalid(error);
  }
  if (Object.hasOwn(text, 'mentor')) {
    try {
      return parseGenerationMetadata(text, 'The image');
    } catch (error) {
      throw asImageInvalid(error);
    }
  }
  if (Object.hasOwn(text, 'parameters')) {
    try {
      return parseGenerationMetadata(text, 'The image');
    } catch (error) {
      // A1111, ComfyUI and others write `parameters` too; theirs are not ours to restore.
      if (isEngineError(error)) {
        return null;
      }
      throw error;
    }
  }
  return null;
}

function asImageInvalid(error: unknown): unknown {
  return isEngineError(error) ? new StudioFailure('image_invalid', error.message) : error;
}
