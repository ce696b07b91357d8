import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Database } from 'better-sqlite3';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { migratedMemoryDatabase } from './migrations/memory-database.test-helper';
import type { z } from 'zod';
import { GallerySearch } from '../../preload/contract';
import { fillLibrary, type FilledLibrary } from '../../test/fixtures/fill-library';
import { createGenerationsRepository, randomSeed, type BatchRequest, type GenerationsRepository } from './generations-repository';
import { openLibrary, type Library } from './library';

let db: Database;
let repo: GenerationsRepository;
let clock: number;

const modelId = '0b6c7d8e-1f2a-4b3c-8d4e-5f6a7b8c9d0e';
const sha = (char: string): string => char.repeat(64);

beforeEach(() => {
  db = migratedMemoryDatabase();
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

/** Runs a batch to done with one result per row (the tests' stand-in for the engine). */
function finish(batchId: string, result = sha('a')): void {
  const rows = repo.batch(batchId);
  repo.markRunning(batchId);
  repo.markDone(batchId, { resultSha256: rows.map(() => result), timings: {} });
}

/** What a caller may send: every filter optional. */
type Filters = z.input<typeof GallerySearch>;
const search = (input: Filters = {}) => repo.search(GallerySearch.parse(input));
const idsOf = (rows: { id: string }[]): string[] => rows.map((row) => row.id);
const unknownId = '5b1c2a4e-8f7d-4c3b-9a2e-1f0d3c4b5a69';

describe('generations repository: re-runs and lineage', () => {
  it('writes a re-run as a batch of one at the original variation, keeping the original count and the lineage', () => {
    const sources = ['0f3c9f6e-2d51-4b8a-9b43-6a2f1c7d8e90'];
    const rerun = repo.enqueue(request({ count: 1, firstVariation: 2, variationCount: 3, sourceItemIds: sources }));
    expect(rerun.generations.map((row) => [row.variation, row.status])).toEqual([[2, 'queued']]);
    expect(repo.batchOrigin(rerun.batchId)).toEqual({ sourceItemIds: sources, variationCount: 3 });
    expect(repo.batchOrigin(repo.enqueue(request()).batchId)).toEqual({ sourceItemIds: [], variationCount: 3 });
    expect(() => repo.batchOrigin(unknownId)).toThrow(expect.objectContaining({ code: 'not_found' }));

    repo.markRunning(rerun.batchId);
    expect(repo.markDone(rerun.batchId, { resultSha256: [sha('c')], timings: {} })).toBe(1);
    expect(repo.batch(rerun.batchId)[0]).toMatchObject({ variation: 2, status: 'done', resultSha256: sha('c') });
  });

  it('refuses variations that do not fit the recorded count', () => {
    expect(() => repo.enqueue(request({ count: 2, firstVariation: 2, variationCount: 3 }))).toThrow(/do not fit a batch of 3/);
    expect(() => repo.enqueue(request({ count: 1, firstVariation: -1 }))).toThrow(RangeError);
  });

  it('stores nothing when the engine returns the wrong number of images', () => {
    const { batchId } = repo.enqueue(request({ count: 2 }));
    repo.markRunning(batchId);
    expect(repo.markDone(batchId, { resultSha256: [sha('a')], timings: {} })).toBe(0);
    expect(repo.batch(batchId).map((row) => row.status)).toEqual(['running', 'running']);
  });
});

describe('generations repository: gallery search', () => {
  const boardId = '7d2e4c1a-9b3f-4e5d-8a6c-1b2c3d4e5f60';
  beforeEach(() => {
    db.prepare(`INSERT INTO boards (id, name, created_at, updated_at) VALUES (?, 'Cats', 1, 1)`).run(boardId);
  });

  it('finds finished images only, newest first, with the total of all matches and paging', () => {
    const older = repo.enqueue(request({ count: 2 }));
    const newer = repo.enqueue(request({ count: 1 }));
    const waiting = repo.enqueue(request({ count: 1 }));
    finish(older.batchId);
    finish(newer.batchId);
    expect(repo.batch(waiting.batchId)[0]!.status).toBe('queued');

    const all = search();
    expect(all.total).toBe(3);
    expect(idsOf(all.generations)).toEqual([newer.generations[0]!.id, older.generations[1]!.id, older.generations[0]!.id]);
    expect(search({ limit: 1, offset: 1 })).toEqual({ total: 3, generations: [all.generations[1]] });
    expect(search({ offset: 5 })).toEqual({ total: 3, generations: [] });
  });

  it('matches each word of the text as a prefix, folding case and accents', () => {
    const hero = repo.enqueue(request({ count: 1, prompt: 'The cat in <image>. A cat as a 16-bit Pixel-Art hero' }));
    const cafe = repo.enqueue(request({ count: 1, prompt: 'A watercolour café by the sea', references: [] }));
    finish(hero.batchId);
    finish(cafe.batchId);
    const byText = (text: string): string[] => idsOf(search({ text }).generations);
    expect(byText('pix')).toEqual([hero.generations[0]!.id]);
    expect(byText('PIXEL art')).toEqual([hero.generations[0]!.id]);
    expect(byText('cafe SEA')).toEqual([cafe.generations[0]!.id]);
    expect(byText('watercolour hero')).toEqual([]);
    expect(byText('   ')).toHaveLength(2); // no word: no text filter
  });

  it('never turns what the user types into FTS syntax or an error', () => {
    const { batchId, generations } = repo.enqueue(request({ count: 1, prompt: 'a cat NEAR the door, AND a "quoted" dog' }));
    finish(batchId);
    const hostile = ['"', '""', 'cat"', '*', 'cat*', 'AND', 'OR', 'NOT cat', 'NEAR(cat door)', '(cat', 'cat)', 'prompt:cat', '^cat',
      '-cat', '+', "'", 'cat OR', '{prompt}: cat', '\u0301', '\\', 'é', '\u0000', '🐈 cat'];
    for (const text of hostile) {
      expect(() => search({ text }), text).not.toThrow();
    }
    expect(idsOf(search({ text: 'NEAR(cat door)' }).generations)).toEqual([generations[0]!.id]);
    expect(idsOf(search({ text: '"quoted' }).generations)).toEqual([generations[0]!.id]);
    expect(search({ text: 'NOT cat' }).total).toBe(0); // "not" is a word here, and the prompt has none
  });

  it('combines board, model, seed, reference, rating, star and date filters', () => {
    let time = 10_000;
    repo = createGenerationsRepository(db, { now: () => (time += 1_000) });
    const onBoard = repo.enqueue(request({ count: 1, boardId, seed: '7' }));
    const withOther = repo.enqueue(request({ count: 1, references: [sha('c')], seed: '8' }));
    const plain = repo.enqueue(request({ count: 1, references: [], prompt: 'a dog' }));
    for (const batch of [onBoard, withOther, plain]) {
      finish(batch.batchId);
    }
    repo.rate([onBoard.generations[0]!.id], { rating: 5 });
    repo.rate([withOther.generations[0]!.id], { rating: 3, starred: true });
    const by = (filters: Filters): string[] => idsOf(search(filters).generations);
    const [a, b, c] = [onBoard, withOther, plain].map((batch) => batch.generations[0]!.id);

    expect(by({ boardId })).toEqual([a]);
    expect(by({ modelId })).toEqual([c, b, a]);
    expect(by({ modelId: unknownId })).toEqual([]);
    expect(by({ seed: '8' })).toEqual([b]);
    expect(by({ referenceSha256: sha('a') })).toEqual([a]);
    expect(by({ referenceSha256: sha('c') })).toEqual([b]);
    expect(by({ minRating: 3 })).toEqual([b, a]);
    expect(by({ minRating: 4 })).toEqual([a]);
    expect(by({ starred: true })).toEqual([b]);
    expect(by({ starred: false })).toEqual([c, a]);
    const created = [onBoard, withOther, plain].map((batch) => batch.generations[0]!.createdAt);
    expect(by({ from: created[1], to: created[1] })).toEqual([b]);
    expect(by({ from: created[1] })).toEqual([c, b]);
    expect(by({ to: created[0] })).toEqual([a]);
    expect(by({ text: 'cat', minRating: 1, starred: true })).toEqual([b]);
  });
});

describe('generations repository: rate, trash, restore', () => {
  it('rates and stars, clears a rating with null, and leaves absent fields alone', () => {
    const { batchId, generations } = repo.enqueue(request({ count: 2 }));
    finish(batchId);
    const [first, second] = idsOf(generations);
    expect(repo.rate([first!, second!], { rating: 4 }).map((row) => [row.rating, row.starred])).toEqual([
      [4, false],
      [4, false],
    ]);
    expect(repo.rate([first!], { starred: true })[0]).toMatchObject({ rating: 4, starred: true });
    expect(repo.rate([first!], { rating: null })[0]).toMatchObject({ rating: null, starred: true });
    expect(repo.get(second!).rating).toBe(4);
  });

  it('changes nothing when one id is unknown or in the trash', () => {
    const { batchId, generations } = repo.enqueue(request({ count: 2 }));
    finish(batchId);
    const [first, second] = idsOf(generations);
    expect(() => repo.rate([first!, unknownId], { rating: 2 })).toThrow(expect.objectContaining({ code: 'not_found', message: expect.stringContaining(unknownId) }));
    expect(repo.get(first!).rating).toBeNull();
    repo.trash([second!]);
    expect(() => repo.rate([first!, second!], { starred: true })).toThrow(expect.objectContaining({ code: 'not_found' }));
    expect(repo.get(first!).starred).toBe(false);
  });

  it('moves finished images to the trash and back; the gallery and the trash show them accordingly', () => {
    let time = 50_000;
    repo = createGenerationsRepository(db, { now: () => (time += 10) });
    const { batchId, generations } = repo.enqueue(request({ count: 2 }));
    finish(batchId);
    const [first, second] = idsOf(generations);

    expect(repo.trash([first!, first!])).toEqual([first]);
    expect(idsOf(search().generations)).toEqual([second]);
    const trashed = search({ trashed: true });
    expect(trashed.total).toBe(1);
    expect(trashed.generations[0]).toMatchObject({ id: first, trashedAt: expect.any(Number) });
    expect(() => repo.get(first!)).toThrow(expect.objectContaining({ code: 'not_found' }));

    const trashedAt = trashed.generations[0]!.trashedAt;
    repo.trash([first!]); // again: stays as it was
    expect(search({ trashed: true }).generations[0]!.trashedAt).toBe(trashedAt);

    expect(repo.restore([first!])).toEqual([first]);
    expect(search().total).toBe(2);
    expect(repo.get(first!).trashedAt).toBeNull();
    expect(search({ trashed: true }).total).toBe(0);
  });

  it('refuses to trash queued or running rows and unknown ids, changing nothing', () => {
    const done = repo.enqueue(request({ count: 1 }));
    finish(done.batchId);
    const queued = repo.enqueue(request({ count: 1 }));
    const doneId = done.generations[0]!.id;
    expect(() => repo.trash([doneId, queued.generations[0]!.id])).toThrow(
      expect.objectContaining({ code: 'conflict', message: expect.stringContaining('still queued; cancel it') }),
    );
    expect(() => repo.trash([doneId, unknownId])).toThrow(expect.objectContaining({ code: 'not_found' }));
    expect(() => repo.restore([unknownId])).toThrow(expect.objectContaining({ code: 'not_found' }));
    expect(repo.get(doneId).trashedAt).toBeNull();

    repo.markCancelled(queued.batchId);
    expect(repo.trash([queued.generations[0]!.id])).toEqual([queued.generations[0]!.id]);
  });
});

describe('generations repository: queue order', () => {
  it('moves a queued batch to an index among the queued ones, and the queue runs in that order', () => {
    const [a, b, c] = [1, 2, 1].map((count) => repo.enqueue(request({ count })).batchId);
    expect(repo.move(c!, 0)).toEqual([c, a, b]);
    expect(repo.nextQueuedBatch()?.map((row) => row.batchId)).toEqual([c]);
    expect(repo.move(c!, 99)).toEqual([a, b, c]);
    expect(repo.move(b!, 0)).toEqual([b, a, c]);
    expect(repo.nextQueuedBatch()?.map((row) => row.batchId)).toEqual([b, b]);
    const d = repo.enqueue(request({ count: 1 })).batchId;
    expect(repo.move(a!, 1)).toEqual([b, a, c, d]); // new work still goes to the end
  });

  it('refuses to move an unknown batch or one that is not queued', () => {
    const running = repo.enqueue(request({ count: 1 })).batchId;
    repo.markRunning(running);
    expect(() => repo.move(unknownId, 0)).toThrow(expect.objectContaining({ code: 'not_found' }));
    expect(() => repo.move(running, 0)).toThrow(expect.objectContaining({ code: 'conflict', message: 'Only a queued batch can be moved; this one is running' }));
  });

  it('lists the running batch, then the queued ones in run order, then the newest interrupted batches', () => {
    const [old1, old2] = [1, 2].map((count) => repo.enqueue(request({ count })).batchId);
    repo.markRunning(old1!);
    repo.markRunning(old2!);
    repo.markInterrupted();
    const done = repo.enqueue(request({ count: 1 })).batchId;
    finish(done);
    const running = repo.enqueue(request({ count: 2 })).batchId;
    repo.markRunning(running);
    const [q1, q2] = [1, 1].map(() => repo.enqueue(request({ count: 1 })).batchId);
    repo.move(q2!, 0);

    const batches = (rows: { batchId: string; status: string }[]): string[] => rows.map((row) => `${row.batchId}:${row.status}`);
    expect(batches(repo.queue())).toEqual([
      `${running}:running`,
      `${running}:running`,
      `${q2}:queued`,
      `${q1}:queued`,
      `${old2}:interrupted`,
      `${old2}:interrupted`,
      `${old1}:interrupted`,
    ]);
    expect(batches(repo.queue({ interruptedBatches: 1 })).filter((entry) => entry.endsWith('interrupted'))).toEqual([
      `${old2}:interrupted`,
      `${old2}:interrupted`,
    ]);
    expect(repo.queue().find((row) => row.batchId === q2)!.queuePosition).toBeLessThan(repo.queue().find((row) => row.batchId === q1)!.queuePosition);
  });

  it('resumes an interrupted batch that had rows in the trash with all its rows', () => {
    const { batchId } = repo.enqueue(request({ count: 2 }));
    repo.markRunning(batchId);
    repo.markInterrupted();
    repo.trash([repo.batch(batchId)[1]!.id]);
    expect(repo.requeue(batchId)).toBe(2);
    expect(repo.batch(batchId).map((row) => [row.status, row.trashedAt])).toEqual([
      ['queued', null],
      ['queued', null],
    ]);
  });
});

describe('generations repository: gallery search at 10,000 rows', () => {
  let folder: string;
  let library: Library;
  let facts: FilledLibrary;

  beforeAll(async () => {
    folder = fs.mkdtempSync(path.join(os.tmpdir(), 'gallery-10k-'));
    facts = await fillLibrary(folder, { count: 10_000 });
    library = openLibrary(folder);
  }, 60_000);
  afterAll(() => {
    library?.close();
    fs.rmSync(folder, { recursive: true, force: true });
  });

  it('gives the totals the fill reports', () => {
    const find = (input: Filters) => library.generations.search(GallerySearch.parse(input));
    expect(find({}).total).toBe(10_000);
    expect(find({ text: facts.word }).total).toBe(facts.wordCount);
    expect(facts.wordCount).toBeGreaterThan(500);
    expect(facts.wordCount).toBeLessThan(10_000);
    const board = facts.boards[0]!;
    expect(find({ boardId: board.id }).total).toBe(facts.perBoard[board.id]);
    expect(find({ referenceSha256: facts.assets[0] }).total).toBe(facts.referencing);
    expect(find({ minRating: 5 }).total).toBe(facts.fiveStars);
    expect(find({ starred: true }).total).toBe(facts.starred);
    const page = find({ text: facts.word, limit: 100 }).generations;
    expect(page).toHaveLength(100);
    expect(page.every((row) => row.prompt.includes(facts.word))).toBe(true);
    expect(page.map((row) => row.createdAt)).toEqual([...page.map((row) => row.createdAt)].sort((x, y) => y - x));
  });

  it('answers a page with its total in under 50 ms at the 95th percentile (asserted with room for a loaded machine)', () => {
    const middle = Math.round((facts.oldestAt + facts.newestAt) / 2);
    const queries: Filters[] = [
      {},
      { offset: 5_000 },
      { text: facts.word },
      { text: 'cat pix' },
      { text: 'a' },
      { text: 'zebra' },
      { boardId: facts.boards[1]!.id },
      { referenceSha256: facts.assets[0] },
      { minRating: 4 },
      { starred: true },
      { seed: '12345' },
      { from: middle, to: middle + 30 * 24 * 3600 * 1000 },
      { text: 'watercolour', boardId: facts.boards[0]!.id, minRating: 2 },
      { trashed: true },
    ];
    const timings: number[] = [];
    for (let round = 0; round < 5; round++) {
      for (const query of queries) {
        const input = GallerySearch.parse(query);
        const started = performance.now();
        library.generations.search(input);
        timings.push(performance.now() - started);
      }
    }
    timings.sort((x, y) => x - y);
    const p95 = timings[Math.ceil(timings.length * 0.95) - 1]!;
    console.info(`gallery search at 10k rows: median ${timings[timings.length >> 1]!.toFixed(1)} ms, p95 ${p95.toFixed(1)} ms`);
    // The target is 50 ms; the bound leaves room for the other test files sharing this machine's two cores.
    expect(p95).toBeLessThan(150);
  });
});
