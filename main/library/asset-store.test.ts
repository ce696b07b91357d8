import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import type { Database } from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AssetIntegrityError, createAssetStore } from './asset-store';
import { initialMigration } from './migrations/0001-initial';

let folder: string;
let assetsFolder: string;
let db: Database;
beforeEach(() => {
  folder = fs.mkdtempSync(path.join(os.tmpdir(), 'asset-store-'));
  assetsFolder = path.join(folder, 'assets');
  db = new BetterSqlite3(':memory:');
  initialMigration.up(db);
});
afterEach(() => {
  db.close();
  fs.rmSync(folder, { recursive: true, force: true });
});

const png = Buffer.from('\x89PNG\r\n\x1a\n pretend image bytes', 'latin1');
const shaOf = (bytes: Buffer): string => createHash('sha256').update(bytes).digest('hex');

/** Every file under the assets folder, relative to it. */
function filesUnder(root: string): string[] {
  if (!fs.existsSync(root)) {
    return [];
  }
  return (fs.readdirSync(root, { recursive: true }) as string[])
    .filter((name) => fs.statSync(path.join(root, name)).isFile())
    .sort();
}

describe('AssetStore', () => {
  it('stores bytes under their hash, in a two-letter folder, and registers the row', () => {
    const store = createAssetStore(db, assetsFolder, { now: () => 42 });
    const sha256 = shaOf(png);
    const stored = store.put(png, { mime: 'image/png', originalName: 'cat.png', width: 2, height: 3 });

    expect(stored).toEqual({
      sha256,
      path: path.join(assetsFolder, sha256.slice(0, 2), `${sha256}.png`),
      byteSize: png.length,
      created: true,
    });
    expect(fs.readFileSync(stored.path)).toEqual(png);
    expect(db.prepare('SELECT * FROM assets').all()).toEqual([
      { sha256, mime: 'image/png', byte_size: png.length, width: 2, height: 3, original_name: 'cat.png', created_at: 42 },
    ]);
    expect(store.has(sha256)).toBe(true);
    expect(store.pathOf(sha256)).toBe(stored.path);
    expect(store.read(sha256)).toEqual(png);
  });

  it('dedupes: the same bytes give the same file, written once', () => {
    const store = createAssetStore(db, assetsFolder);
    const first = store.put(png, { mime: 'image/png' });
    const before = fs.statSync(first.path);
    const second = store.put(Buffer.from(png), { mime: 'image/jpeg', originalName: 'other.jpg' });

    expect(second).toEqual({ ...first, created: false });
    expect(fs.statSync(second.path).ino).toBe(before.ino);
    expect(filesUnder(assetsFolder)).toHaveLength(1);
    expect(db.prepare('SELECT count(*) AS n FROM assets').get()).toEqual({ n: 1 });
  });

  it('leaves no temp files behind', () => {
    const store = createAssetStore(db, assetsFolder);
    for (let index = 0; index < 20; index++) {
      store.put(Buffer.from(`image ${index}`), { mime: 'image/webp' });
    }
    const files = filesUnder(assetsFolder);
    expect(files).toHaveLength(20);
    expect(files.every((file) => /^[0-9a-f]{2}[/\\][0-9a-f]{64}\.webp$/.test(file))).toBe(true);
  });

  it('leaves no partial asset when it crashes between write and rename, and a retry succeeds', () => {
    const crashing = createAssetStore(db, assetsFolder, {
      beforeRename: () => {
        throw new Error('simulated crash');
      },
    });
    expect(() => crashing.put(png, { mime: 'image/png' })).toThrow('simulated crash');
    const sha256 = shaOf(png);
    expect(filesUnder(assetsFolder)).toEqual([]);
    expect(db.prepare('SELECT count(*) AS n FROM assets').get()).toEqual({ n: 0 });

    const store = createAssetStore(db, assetsFolder);
    expect(store.has(sha256)).toBe(false);
    expect(store.put(png, { mime: 'image/png' }).created).toBe(true);
    expect(store.read(sha256)).toEqual(png);
  });

  it('refuses to read a file whose contents no longer match its hash, naming the file', () => {
    const store = createAssetStore(db, assetsFolder);
    const stored = store.put(png, { mime: 'image/png' });
    fs.writeFileSync(stored.path, 'tampered');

    expect(() => store.read(stored.sha256)).toThrow(AssetIntegrityError);
    expect(() => store.read(stored.sha256)).toThrow(stored.path);
    expect(fs.readFileSync(stored.path, 'utf8')).toBe('tampered');

    // Putting the good bytes again repairs the file.
    expect(store.put(png, { mime: 'image/png' }).created).toBe(true);
    expect(store.read(stored.sha256)).toEqual(png);
  });

  it('reports unknown, malformed and missing assets clearly', () => {
    const store = createAssetStore(db, assetsFolder);
    const unknown = 'f'.repeat(64);
    expect(store.has(unknown)).toBe(false);
    expect(store.has('../../etc/passwd')).toBe(false);
    expect(() => store.pathOf(unknown)).toThrow(expect.objectContaining({ code: 'not_found' }));
    expect(() => store.read('../../etc/passwd')).toThrow(expect.objectContaining({ code: 'validation_failed' }));

    const stored = store.put(png, { mime: 'image/png' });
    fs.rmSync(stored.path);
    expect(store.has(stored.sha256)).toBe(false);
    expect(() => store.read(stored.sha256)).toThrow(expect.objectContaining({ code: 'not_found', message: expect.stringContaining(stored.path) }));
  });

  it('uses .bin for types it has no extension for', () => {
    const store = createAssetStore(db, assetsFolder);
    expect(store.put(Buffer.from('x'), { mime: 'application/octet-stream' }).path.endsWith('.bin')).toBe(true);
  });
});
