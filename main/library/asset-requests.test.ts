import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { answerAssetRequest } from './asset-requests';
import { libraryPaths, openLibrary, type Library } from './library';
import { createThumbnails, type Thumbnails } from './thumbnails';

let dataFolder: string;
let library: Library;
let thumbnails: Thumbnails;
let png: string;
let jpeg: string;
beforeEach(async () => {
  dataFolder = fs.mkdtempSync(path.join(os.tmpdir(), 'asset-requests-'));
  library = openLibrary(dataFolder);
  thumbnails = createThumbnails(libraryPaths(dataFolder).thumbnails);
  const image = sharp({ create: { width: 300, height: 150, channels: 3, background: '#36c' } });
  png = library.assets.put(await image.clone().png().toBuffer(), { mime: 'image/png' }).sha256;
  jpeg = library.assets.put(await image.clone().jpeg().toBuffer(), { mime: 'image/jpeg' }).sha256;
});
afterEach(() => {
  library.close();
  fs.rmSync(dataFolder, { recursive: true, force: true });
});

const answer = (sha256: string, size: string | null = null) => answerAssetRequest({ assets: library.assets, thumbnails }, sha256, size);

describe('answerAssetRequest', () => {
  it('answers the stored file with its own content type', async () => {
    expect(await answer(png)).toEqual({ status: 200, file: library.assets.pathOf(png), contentType: 'image/png' });
    expect(await answer(jpeg)).toEqual({ status: 200, file: library.assets.pathOf(jpeg), contentType: 'image/jpeg' });
  });

  it('answers a WebP thumbnail from the data folder cache for ?size=N', async () => {
    const thumbnail = await answer(png, '64');
    expect(thumbnail).toMatchObject({ status: 200, contentType: 'image/webp' });
    const file = (thumbnail as { file: string }).file;
    expect(file.startsWith(path.join(dataFolder, 'cache', 'thumbnails'))).toBe(true);
    expect(await sharp(file).metadata()).toMatchObject({ width: 64, height: 32 });
  });

  it('says 404 for an unknown image, a malformed hash, or a file gone from disk', async () => {
    expect(await answer('f'.repeat(64))).toMatchObject({ status: 404 });
    expect(await answer('../../library.sqlite')).toMatchObject({ status: 404 });
    expect(await answer(png.toUpperCase())).toMatchObject({ status: 404 });
    fs.rmSync(library.assets.pathOf(png));
    expect(await answer(png, '64')).toMatchObject({ status: 404 });
  });

  it('says 400 for a size outside 16…2048 or not a whole number', async () => {
    for (const size of ['15', '2049', '64.5', '', 'big', '0064000']) {
      expect(await answer(png, size), size).toMatchObject({ status: 400, message: 'size must be a whole number from 16 to 2048' });
    }
    expect(await answer(png, '2048')).toMatchObject({ status: 200 });
  });

  it('says 422 when the stored file cannot be decoded, and 503 when the library is unavailable', async () => {
    fs.writeFileSync(library.assets.pathOf(jpeg), 'not a jpeg any more');
    expect(await answer(jpeg, '64')).toMatchObject({ status: 422, message: expect.stringContaining(`The image ${jpeg} cannot be read`) });
    library.close();
    fs.writeFileSync(libraryPaths(dataFolder).database, 'not a database');
    const broken = openLibrary(dataFolder);
    expect(await answerAssetRequest({ assets: broken.assets, thumbnails }, png, null)).toMatchObject({ status: 503 });
  });
});
