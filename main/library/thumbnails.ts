import fs from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { writeFileAtomic } from './durable-files';

/** The sizes a thumbnail may be asked for (its longer side, in pixels). */
export const minThumbnailSize = 16;
export const maxThumbnailSize = 2048;

export const thumbnailContentType = 'image/webp';

export type Thumbnails = {
  /**
   * The path of a thumbnail of `sourceFile` (the library image `sha256`) whose longer side is at most
   * `size` pixels: made on first use, read from the disk cache after. Never enlarges a small image.
   */
  file(sha256: string, sourceFile: string, size: number): Promise<string>;
};

/**
 * Downscaled library images for the canvas and gallery, cached under `folder` (the data folder's
 * `cache/thumbnails/`). A canvas shows dozens of images at a few hundred pixels; sending the full
 * 512 px PNGs (or a 4000 px reference photo) every time would be most of the work of drawing it.
 *
 * The cache file is named by the image's hash and the size, so it never goes stale (assets are
 * immutable) and can be deleted at any time. It is written atomically: a crash leaves no half file.
 * WebP keeps it small; EXIF orientation is applied first, since the thumbnail carries no metadata
 * and must look like the full image does in the browser.
 */
export function createThumbnails(folder: string): Thumbnails {
  // Two <img> asking for the same thumbnail at once must not encode it twice.
  const pending = new Map<string, Promise<string>>();
  return {
    file(sha256, sourceFile, size) {
      if (!/^[0-9a-f]{64}$/.test(sha256)) {
        throw new RangeError(`"${sha256}" is not a sha256`);
      }
      if (!Number.isInteger(size) || size < minThumbnailSize || size > maxThumbnailSize) {
        throw new RangeError(`A thumbnail size is a whole number from ${minThumbnailSize} to ${maxThumbnailSize}, got ${size}`);
      }
      const target = path.join(folder, sha256.slice(0, 2), `${sha256}-${size}.webp`);
      const running = pending.get(target);
      if (running !== undefined) {
        return running;
      }
      const made = (async () => {
        if (fs.existsSync(target)) {
          return target;
        }
        const bytes = await sharp(sourceFile)
          .rotate()
          .resize({ width: size, height: size, fit: 'inside', withoutEnlargement: true })
          .webp({ quality: 82 })
          .toBuffer();
        writeFileAtomic(target, bytes);
        return target;
      })().finally(() => pending.delete(target));
      pending.set(target, made);
      return made;
    },
  };
}
