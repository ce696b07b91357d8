import type { AssetStore } from '../library/asset-store';
import { isEngineError } from '../engine/errors';
import { inspectImage, type ImageFormat } from '../engine/images/load-reference';
import type { StudioServices } from './router';
import { StudioFailure } from './studio-failure';

type AssetsService = Pick<StudioServices, 'assets:import'>;

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
export function createAssetsService(assets: AssetStore): AssetsService {
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
  };
}
