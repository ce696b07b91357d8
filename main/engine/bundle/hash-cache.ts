/**
 * sha256 of bundle files, remembered across starts. A MENTOR bundle is several gigabytes; hashing it at
 * every start would cost a minute of disk reads, so a file whose absolute path, size and mtime are
 * unchanged keeps the hash computed last time. (A change that keeps size and mtime, such as bit rot or
 * a deliberate `touch -d`, goes unseen: open without a cache to hash everything again.)
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { writeFileAtomic } from '../../library/durable-files';

type Entry = { size: number; mtimeMs: number; sha256: string };
type CacheFile = { version: 1; entries: Record<string, Entry> };

const readChunkBytes = 4 * 1024 * 1024;

/** Streams `file` through sha256 (never the whole file in memory); `onBytes` hears of each chunk read. */
export function sha256File(file: string, onBytes?: (bytes: number) => void): Promise<string> {
  return new Promise((resolve, reject) => {
    const hash = createHash('sha256');
    const stream = fs.createReadStream(file, { highWaterMark: readChunkBytes });
    stream.on('data', (chunk) => {
      hash.update(chunk);
      onBytes?.(chunk.length);
    });
    stream.on('error', reject);
    stream.on('end', () => resolve(hash.digest('hex')));
  });
}

function isEntry(value: unknown): value is Entry {
  if (typeof value !== 'object' || value === null) {
    return false;
  }
  const entry = value as Record<string, unknown>;
  return (
    typeof entry.size === 'number' &&
    typeof entry.mtimeMs === 'number' &&
    typeof entry.sha256 === 'string' &&
    /^[0-9a-f]{64}$/.test(entry.sha256)
  );
}

/** Reads a cache file; a missing, unreadable or malformed one is an empty cache (it is only a cache). */
function readEntries(file: string): Map<string, Entry> {
  const entries = new Map<string, Entry>();
  let parsed: unknown;
  try {
    parsed = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch {
    return entries;
  }
  if (typeof parsed !== 'object' || parsed === null) {
    return entries;
  }
  const raw = (parsed as Partial<CacheFile>).entries;
  if (typeof raw !== 'object' || raw === null) {
    return entries;
  }
  for (const [key, value] of Object.entries(raw)) {
    if (isEntry(value)) {
      entries.set(key, { size: value.size, mtimeMs: value.mtimeMs, sha256: value.sha256 });
    }
  }
  return entries;
}

export class HashCache {
  private readonly entries: Map<string, Entry>;
  private readonly changed = new Map<string, Entry>();
  /** Files hashed (read in full) and files answered from the cache, since this object was made. */
  readonly stats = { hashed: 0, hits: 0 };

  /** `file` is the cache's JSON file, e.g. `<dataFolder>/cache/bundle-hashes.json`; it need not exist. */
  constructor(readonly file: string) {
    this.entries = readEntries(file);
  }

  /**
   * The sha256 of `file`: from the cache when its size and mtime are what they were when it was hashed,
   * otherwise read and hashed now (and remembered; call `save()` to keep it for the next start).
   * Pass the `stat` you already have to save a call; `onBytes` hears of each chunk read (not of cache hits).
   */
  async sha256(file: string, stat?: fs.Stats, onBytes?: (bytes: number) => void): Promise<string> {
    const key = path.resolve(file);
    const before = stat ?? (await fs.promises.stat(key));
    const cached = this.entries.get(key);
    if (cached !== undefined && cached.size === before.size && cached.mtimeMs === before.mtimeMs) {
      this.stats.hits += 1;
      return cached.sha256;
    }
    const sha256 = await sha256File(key, onBytes);
    this.stats.hashed += 1;
    // A file written while it was read has a new mtime: hash it again next time rather than trust this.
    const after = await fs.promises.stat(key);
    if (after.size === before.size && after.mtimeMs === before.mtimeMs) {
      const entry = { size: before.size, mtimeMs: before.mtimeMs, sha256 };
      this.entries.set(key, entry);
      this.changed.set(key, entry);
    }
    return sha256;
  }

  /**
   * Writes new entries to the cache file atomically, merged over what is on disk now (another process,
   * e.g. the engine worker and the app, may share the file; the last writer keeps both sets).
   */
  save(): void {
    if (this.changed.size === 0) {
      return;
    }
    const merged = readEntries(this.file);
    for (const [key, entry] of this.changed) {
      merged.set(key, entry);
    }
    // Forget files that are gone (a removed bundle), so the cache does not grow forever.
    for (const key of merged.keys()) {
      if (!fs.existsSync(key)) {
        merged.delete(key);
      }
    }
    const body: CacheFile = { version: 1, entries: Object.fromEntries(merged) };
    writeFileAtomic(this.file, Buffer.from(JSON.stringify(body, null, 1) + '\n', 'utf8'));
    this.changed.clear();
  }
}
