import path from 'node:path';
import type { AssetStore } from './asset-store';
import { StudioFailure } from '../services/studio-failure';
import { maxThumbnailSize, minThumbnailSize, thumbnailContentType, type Thumbnails } from './thumbnails';

/** What answers `GET /api/assets/<sha256>[?size=N]`: a file to send, or a status with a reason. */
export type AssetAnswer =
  | { status: 200; file: string; contentType: string }
  | { status: 400 | 404 | 422 | 503; message: string };

/** Library images are immutable (named by their hash): a browser may keep them for good. */
export const assetCacheControl = 'private, max-age=31536000, immutable';

const contentTypes: Record<string, string> = {
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.webp': 'image/webp',
  '.gif': 'image/gif',
  '.bmp': 'image/bmp',
  '.tiff': 'image/tiff',
};

/**
 * Finds the file for a library image request, for both transports (the HTTP server of `serve` and the
 * `mentor-studio://` protocol of Electron), so they answer the same. `size` asks for a thumbnail.
 */
export async function answerAssetRequest(
  source: { assets: Pick<AssetStore, 'pathOf' | 'has'>; thumbnails: Thumbnails },
  sha256: string,
  size: string | null,
): Promise<AssetAnswer> {
  if (!/^[0-9a-f]{64}$/.test(sha256)) {
    return { status: 404, message: 'Not found' };
  }
  let pixels: number | null = null;
  if (size !== null) {
    pixels = /^\d{1,4}$/.test(size) ? Number(size) : Number.NaN;
    if (!(pixels >= minThumbnailSize && pixels <= maxThumbnailSize)) {
      return { status: 400, message: `size must be a whole number from ${minThumbnailSize} to ${maxThumbnailSize}` };
    }
  }
  let file: string;
  try {
    if (!source.assets.has(sha256)) {
      return { status: 404, message: `No image ${sha256} in the library` };
    }
    file = source.assets.pathOf(sha256);
  } catch (error) {
    if (error instanceof StudioFailure && error.code === 'library_unavailable') {
      return { status: 503, message: error.message };
    }
    throw error;
  }
  if (pixels === null) {
    return { status: 200, file, contentType: contentTypes[path.extname(file).toLowerCase()] ?? 'application/octet-stream' };
  }
  try {
    return { status: 200, file: await source.thumbnails.file(sha256, file, pixels), contentType: thumbnailContentType };
  } catch (error) {
    // sharp could not decode the stored file: damaged on disk since it was imported.
    return { status: 422, message: `The image ${sha256} cannot be read: ${error instanceof Error ? error.message : String(error)}` };
  }
}
