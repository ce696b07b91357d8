import BetterSqlite3 from 'better-sqlite3';
import type { Database } from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { migrations } from './migrations';
import { createGenerationsRepository, randomSeed, type BatchRequest, type GenerationsRepository } from './generations-repository';

let db: Database;
let repo: GenerationsRepository;
let clock: number;

const modelId = '0b6c7d8e-1f2a-4b3c-8d4e-5f6a7b8c9d0e';
const sha = (char: string): string => char.repeat(64);

beforeEach(() => {
  db = new BetterSqlite3(':memory:');
  db.pragma('foreign_keys = ON');
  for (const migration of migrations) {
    migration.up(db);
  }
  db.prepare(
    `INSERT INTO models (id, name, path, format_version, precision, size_bytes, bundle_sha256, installed_at)
     VALUES (?, 'tiny', '/models/tiny', 1, 'fp32', 1, ?, 1)`,
  ).run(modelId, sha('b'));
  db.prepare(`INSERT INTO assets (sha256, mime, byte_size, created_at) VALUES (?, 'image/png', 3, 1)`).run(sha('a'));
  db.prepare(`INSERT INTO assets (sha256, mime, byte_size, created_at) VALUES (?, 'image/png', 3, 1)`).run(sha('c'));
  clock = 1_000;
  repo = createGenerationsRepository(db, { now: () => clock++, randomSeed: () => '12345678901234567890' });
});
afterEach(() => db.close());

const request = (extra: Partial<BatchRequest> = {}): BatchRequest => ({
  modelId,
  prompt: 'The cat in <image>. A cat as a pixel-art hero',
  references: [sha('a')],
  seed: '18446744073709551615',
  count: 3,
  params: { cfgScale: 3, temperature: 1, topK: 0, topP: 1 },
  bundleSha256: sha('b'),
  engineVersion: '0.1.0',
  ...extra,
});

describe('generations repository', () => {
  it('enqueues a batch as count queued rows with variations 0..n-1 and the seed as text', () => {
    const { batchId, generations } = repo.enqueue(request());
    expect(generations.map((row) => [row.batchId, row.variation, row.status, row.seed])).toEqual([
      [batchId, 0, 'queued', '18446744073709551615'],
      [batchId, 1, 'queued', '18446744073709551615'],
      [batchId, 2, 'queued', '18446744073709551615'],
    ]);
    expect(generations[0]).toMatchObject({
      modelId,
      boardId: null,
      references: [sha('a')],
      params: { cfgScale: 3, temperature: 1, topK: 0, topP: 1 },
      error: null,
      resultSha256: null,
      startedAt: null,
    });
    expect(repo.get(generations[1]!.id)).toEqual(generations[1]);
    expect(repo.batch(batchId)).toEqual(generations);
  });

  it('draws and stores a seed when none is given; the default draw covers 64 bits', () => {
    expect(repo.enqueue(request({ seed: undefined, count: 1 })).generations[0]!.seed).toBe('12345678901234567890');
    const seeds = Array.from({ length: 64 }, () => BigInt(randomSeed()));
    expect(seeds.every((seed) => seed >= 0n && seed < 1n << 64n)).toBe(true);
    expect(seeds.some((seed) => seed >= 1n << 63n)).toBe(true);
    expect(new Set(seeds).size).toBe(64);
  });

  it('gives batches in queue order and moves a batch through its states together', () => {
    const first = repo.enqueue(request({ count: 2 }));
    const second = repo.enqueue(request({ count: 1 }));
    expect(repo.nextQueuedBatch()?.map((row) => row.id)).toEqual(first.generations.map((row) => row.id));

    expect(repo.markRunning(first.batchId)).toBe(2);
    expect(repo.nextQueuedBatch()?.map((row) => row.batchId)).toEqual([second.batchId]);
    expect(repo.markDone(first.batchId, { resultSha256: [sha('a'), sha('c')], timings: { total: 12 } })).toBe(2);
    expect(repo.batch(first.batchId).map((row) => [row.status, row.resultSha256])).toEqual([
      ['done', sha('a')],
      ['done', sha('c')],
    ]);
    expect(repo.batch(first.batchId)[0]!.finishedAt).not.toBeNull();

    expect(repo.markRunning(second.batchId)).toBe(1);
    expect(repo.markFailed(second.batchId, 'reference image 1: is damaged')).toBe(1);
    expect(repo.batch(second.batchId)[0]).toMatchObject({ status: 'failed', error: 'reference image 1: is damaged' });
    expect(repo.nextQueuedBatch()).toBeNull();
  });

  it('cancels only queued or running rows', () => {
    const done = repo.enqueue(request({ count: 1 }));
    repo.markRunning(done.batchId);
    repo.markDone(done.batchId, { resultSha256: [sha('a')], timings: {} });
    expect(repo.markCancelled(done.batchId)).toBe(0);
    const queued = repo.enqueue(request({ count: 2 }));
    expect(repo.markCancelled(queued.batchId)).toBe(2);
    expect(repo.markRunning(queued.batchId)).toBe(0);
  });

  it('marks rows left running as interrupted at start, does not run them, and requeues them at the end on request', () => {
    const interrupted = repo.enqueue(request({ count: 2 }));
    const waiting = repo.enqueue(request({ count: 1 }));
    repo.markRunning(interrupted.batchId);

    expect(repo.markInterrupted()).toEqual([interrupted.batchId]);
    expect(repo.batch(interrupted.batchId).map((row) => row.status)).toEqual(['interrupted', 'interrupted']);
    expect(repo.batch(interrupted.batchId)[0]!.error).toMatch(/stopped while this was generating/);
    expect(repo.nextQueuedBatch()?.[0]!.batchId).toBe(waiting.batchId);

    expect(repo.requeue(interrupted.batchId)).toBe(2);
    expect(repo.batch(interrupted.batchId)[0]).toMatchObject({ status: 'queued', error: null, startedAt: null });
    expect(repo.nextQueuedBatch()?.[0]!.batchId).toBe(waiting.batchId); // requeued work goes to the end
    repo.markCancelled(waiting.batchId);
    expect(repo.nextQueuedBatch()?.[0]!.batchId).toBe(interrupted.batchId);
  });

  it('lists newest first, filtered by status and limited', () => {
    const a = repo.enqueue(request({ count: 1 }));
    const b = repo.enqueue(request({ count: 2 }));
    repo.markCancelled(a.batchId);
    expect(repo.list().map((row) => row.batchId)).toEqual([b.batchId, b.batchId, a.batchId]);
    expect(repo.list({ statuses: ['cancelled'] }).map((row) => row.batchId)).toEqual([a.batchId]);
    expect(repo.list({ statuses: ['queued', 'cancelled'], limit: 1 })).toHaveLength(1);
    expect(repo.list({ statuses: [] })).toHaveLength(3);
  });

  it('throws not_found for an unknown generation or batch', () => {
    expect(() => repo.get('5b1c2a4e-8f7d-4c3b-9a2e-1f0d3c4b5a69')).toThrow(expect.objectContaining({ code: 'not_found' }));
    expect(() => repo.batch('5b1c2a4e-8f7d-4c3b-9a2e-1f0d3c4b5a69')).toThrow(expect.objectContaining({ code: 'not_found' }));
  });
});
