import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createThumbnails, type Thumbnails } from './thumbnails';

let folder: string;
let thumbnails: Thumbnails;
beforeEach(() => {
  folder = fs.mkdtempSync(path.join(os.tmpdir(), 'thumbnails-'));
  thumbnails = createThumbnails(path.join(folder, 'cache', 'thumbnails'));
});
afterEach(() => fs.rmSync(folder, { recursive: true, force: true }));

const sha = 'a'.repeat(64);

async function source(name: string, image: sharp.Sharp): Promise<string> {
  const file = path.join(folder, name);
  await image.toFile(file);
  return file;
}

const solid = (width: number, height: number) => sharp({ create: { width, height, channels: 3, background: '#4a8' } });

describe('thumbnails', () => {
  it('makes a WebP whose longer side is the size asked for, aspect kept, under cache/thumbnails', async () => {
    const file = await thumbnails.file(sha, await source('wide.png', solid(400, 100).png()), 64);
    expect(file).toBe(path.join(folder, 'cache', 'thumbnails', 'aa', `${sha}-64.webp`));
    expect(await sharp(file).metadata()).toMatchObject({ format: 'webp', width: 64, height: 16 });
  });

  it('never enlarges a small image', async () => {
    const file = await thumbnails.file(sha, await source('small.png', solid(20, 30).png()), 256);
    expect(await sharp(file).metadata()).toMatchObject({ width: 20, height: 30 });
  });

  it('makes each thumbnail once: later calls read the cache, even without the source', async () => {
    const input = await source('photo.png', solid(300, 300).png());
    const [first, same] = await Promise.all([thumbnails.file(sha, input, 100), thumbnails.file(sha, input, 100)]);
    expect(same).toBe(first);
    const { mtimeMs } = fs.statSync(first);
    fs.rmSync(input);
    expect(await createThumbnails(path.join(folder, 'cache', 'thumbnails')).file(sha, input, 100)).toBe(first);
    expect(fs.statSync(first).mtimeMs).toBe(mtimeMs);
    // Another size is another file, made from the source (now gone).
    await expect(thumbnails.file(sha, input, 50)).rejects.toThrow();
  });

  it('applies EXIF orientation, so a portrait photo stays portrait', async () => {
    // 40×20 pixels stored, orientation 6: shown rotated 90°, i.e. 20 wide and 40 high.
    const input = await source('rotated.jpg', solid(40, 20).jpeg().withMetadata({ orientation: 6 }));
    const file = await thumbnails.file(sha, input, 32);
    expect(await sharp(file).metadata()).toMatchObject({ width: 16, height: 32 });
  });

  it('refuses a size out of range and a damaged source, leaving no file behind', async () => {
    const input = await source('ok.png', solid(10, 10).png());
    for (const size of [15, 2049, 64.5]) {
      expect(() => thumbnails.file(sha, input, size)).toThrow(/16 to 2048/);
    }
    const damaged = path.join(folder, 'damaged.png');
    fs.writeFileSync(damaged, fs.readFileSync(input).subarray(0, 40));
    await expect(thumbnails.file(sha, damaged, 64)).rejects.toThrow();
    expect(fs.existsSync(path.join(folder, 'cache', 'thumbnails', 'aa', `${sha}-64.webp`))).toBe(false);
  });
});
