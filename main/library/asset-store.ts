import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Database } from 'better-sqlite3';
import { StudioFailure } from '../services/studio-failure';
import { writeFileAtomic, type AtomicWriteOptions } from './durable-files';

export type PutAssetOptions = {
  mime: string;
  originalName?: string | undefined;
  width?: number | undefined;
  height?: number | undefined;
};

export type StoredAsset = {
  sha256: string;
  path: string;
  byteSize: number;
  /** False when the same bytes were already stored: nothing was written. */
  created: boolean;
};

export type AssetStore = {
  put(bytes: Buffer, options: PutAssetOptions): StoredAsset;
  /** True when the asset is registered and its file is present (contents are verified by `read`). */
  has(sha256: string): boolean;
  /** Throws `not_found` for an asset the library does not know. */
  pathOf(sha256: string): string;
  /** The bytes, after checking they still hash to `sha256`. */
  read(sha256: string): Buffer;
};

export type AssetStoreOptions = {
  now?: () => number;
  /** Test seam passed to `writeFileAtomic`. */
  beforeRename?: AtomicWriteOptions['beforeRename'];
};

/** A file whose contents no longer match the hash it is named by (disk fault, or edited by hand). */
export class AssetIntegrityError extends Error {
  constructor(
    readonly file: string,
    readonly expected: string,
    readonly actual: string,
  ) {
    super(`The image file ${file} is damaged: its contents hash to ${actual}, not ${expected}. It was left in place.`);
    this.name = 'AssetIntegrityError';
  }
}

const extensionByMime: Record<string, string> = {
  'image/png': '.png',
  'image/jpeg': '.jpg',
  'image/webp': '.webp',
  'image/gif': '.gif',
  'image/bmp': '.bmp',
  'image/tiff': '.tiff',
};

const sha256Pattern = /^[0-9a-f]{64}$/;

/**
 * Content-addressed files: `<assetsFolder>/<first 2 hex>/<sha256><ext>`. The name is the hash, so the
 * same bytes are stored once, and a file under its final name is always complete (atomic write).
 * The two-letter folders keep any one directory small. The file is written before its row, so a crash
 * leaves at worst an unregistered file (found and reused by the next `put`), never a row without a file.
 */
export function createAssetStore(db: Database, assetsFolder: string, options: AssetStoreOptions = {}): AssetStore {
  const now = options.now ?? Date.now;
  const selectMime = db.prepare<[string], { mime: string }>('SELECT mime FROM assets WHERE sha256 = ?');
  const insert = db.prepare(
    `INSERT OR IGNORE INTO assets (sha256, mime, byte_size, width, height, original_name, created_at)
     VALUES (@sha256, @mime, @byteSize, @width, @height, @originalName, @createdAt)`,
  );

  const fileFor = (sha256: string, mime: string): string =>
    path.join(assetsFolder, sha256.slice(0, 2), `${sha256}${extensionByMime[mime.toLowerCase()] ?? '.bin'}`);

  const registeredPath = (sha256: string): string => {
    if (!sha256Pattern.test(sha256)) {
      throw new StudioFailure('validation_failed', `"${sha256}" is not a sha256 (64 lowercase hex digits)`);
    }
    const row = selectMime.get(sha256);
    if (row === undefined) {
      throw new StudioFailure('not_found', `No asset ${sha256} in the library`);
    }
    return fileFor(sha256, row.mime);
  };

  return {
    put(bytes, putOptions) {
      const sha256 = hashOf(bytes);
      // Same bytes under another mime keep their first name: one hash, one file.
      const mime = selectMime.get(sha256)?.mime ?? putOptions.mime;
      const file = fileFor(sha256, mime);
      // An existing file is reused only if it is intact; a damaged one is replaced with the good bytes.
      const created = !isIntact(file, sha256);
      if (created) {
        writeFileAtomic(file, bytes, options.beforeRename ? { beforeRename: options.beforeRename } : {});
      }
      insert.run({
        sha256,
        mime,
        byteSize: bytes.byteLength,
        width: putOptions.width ?? null,
        height: putOptions.height ?? null,
        originalName: putOptions.originalName ?? null,
        createdAt: now(),
      });
      return { sha256, path: file, byteSize: bytes.byteLength, created };
    },

    has(sha256) {
      return sha256Pattern.test(sha256) && selectMime.get(sha256) !== undefined && fs.existsSync(registeredPath(sha256));
    },

    pathOf: registeredPath,

    read(sha256) {
      const file = registeredPath(sha256);
      let bytes: Buffer;
      try {
        bytes = fs.readFileSync(file);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
          throw new StudioFailure('not_found', `The image file ${file} for asset ${sha256} is missing`);
        }
        throw error;
      }
      const actual = hashOf(bytes);
      if (actual !== sha256) {
        throw new AssetIntegrityError(file, sha256, actual);
      }
      return bytes;
    },
  };
}

function hashOf(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

function isIntact(file: string, sha256: string): boolean {
  try {
    return hashOf(fs.readFileSync(file)) === sha256;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      return false;
    }
    throw error;
  }
}
