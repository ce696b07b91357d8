import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { copyTinyBundle, removeTemporaryFolders, temporaryFolder, tinyBundle } from '../../../test/fixtures/tiny-bundle';
import { HashCache, sha256File } from './hash-cache';
import { loadBundle } from './load-bundle';

describe('HashCache', () => {
  beforeAll(async () => {
    await tinyBundle();
  }, 180_000);

  afterAll(() => {
    removeTemporaryFolders();
  });

  afterEach(() => {
    vi.restoreAllMocks();
  });

  it('streams a sha256', async () => {
    const file = path.join(temporaryFolder(), 'x.bin');
    const bytes = Buffer.alloc(9 * 1024 * 1024 + 7, 0x5a);
    fs.writeFileSync(file, bytes);
    expect(await sha256File(file)).toBe(createHash('sha256').update(bytes).digest('hex'));
  });

  it('does not read the files again on the next start, and hashes a touched file again', async () => {
    const dir = await copyTinyBundle();
    const cacheFile = path.join(temporaryFolder(), 'cache', 'bundle-hashes.json');
    const files = (await loadBundle(dir)).manifest.files.length;

    const first = new HashCache(cacheFile);
    await loadBundle(dir, { hashCache: first });
    expect(first.stats).toEqual({ hashed: files, hits: 0 });
    expect(fs.existsSync(cacheFile)).toBe(true);

    // A new process: a new HashCache on the same file.
    const reads = vi.spyOn(fs, 'createReadStream');
    const second = new HashCache(cacheFile);
    await loadBundle(dir, { hashCache: second });
    expect(second.stats).toEqual({ hashed: 0, hits: files });
    expect(reads).not.toHaveBeenCalled();

    const touched = path.join(dir, 'vision.onnx');
    const later = new Date(Date.now() + 5_000);
    fs.utimesSync(touched, later, later);
    const third = new HashCache(cacheFile);
    await loadBundle(dir, { hashCache: third });
    expect(third.stats).toEqual({ hashed: 1, hits: files - 1 });
    expect(reads).toHaveBeenCalledTimes(1);
    expect(reads.mock.calls[0]?.[0]).toBe(touched);
  });

  it('still finds a changed file whose mtime moved', async () => {
    const dir = await copyTinyBundle();
    const cacheFile = path.join(temporaryFolder(), 'hashes.json');
    await loadBundle(dir, { hashCache: new HashCache(cacheFile) });
    const file = path.join(dir, 'vq_decode.onnx');
    const bytes = fs.readFileSync(file);
    bytes[100] = bytes[100]! ^ 0xff;
    fs.writeFileSync(file, bytes);
    const later = new Date(Date.now() + 5_000);
    fs.utimesSync(file, later, later);
    await expect(loadBundle(dir, { hashCache: new HashCache(cacheFile) })).rejects.toThrow(
      'vq_decode.onnx: sha256 does not match the manifest',
    );
  });

  it('treats a damaged cache file as empty, merges with other writers and forgets removed files', async () => {
    const folder = temporaryFolder();
    const cacheFile = path.join(folder, 'hashes.json');
    fs.writeFileSync(cacheFile, '{not json');
    const a = path.join(folder, 'a.bin');
    const b = path.join(folder, 'b.bin');
    fs.writeFileSync(a, 'a');
    fs.writeFileSync(b, 'b');

    const one = new HashCache(cacheFile);
    const two = new HashCache(cacheFile);
    await one.sha256(a);
    await two.sha256(b);
    one.save();
    two.save();
    const entries = (JSON.parse(fs.readFileSync(cacheFile, 'utf8')) as { entries: Record<string, unknown> }).entries;
    expect(Object.keys(entries).sort()).toEqual([a, b].sort());
    expect(fs.readdirSync(folder).filter((name) => name.endsWith('.tmp'))).toEqual([]);

    fs.rmSync(b);
    const three = new HashCache(cacheFile);
    fs.writeFileSync(a, 'aa');
    expect(await three.sha256(a)).toBe(createHash('sha256').update('aa').digest('hex'));
    three.save();
    const after = (JSON.parse(fs.readFileSync(cacheFile, 'utf8')) as { entries: Record<string, unknown> }).entries;
    expect(Object.keys(after)).toEqual([a]);
  });
});
