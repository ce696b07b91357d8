import { randomBytes, randomUUID } from 'node:crypto';
import type { Database } from 'better-sqlite3';
import { Generation, type GenerationStatus, type SamplingParams } from '../../preload/contract';
import { StudioFailure } from '../services/studio-failure';
import { galleryFilter, type GallerySearchInput } from './gallery-query';
import { lazyStatements } from './lazy-statements';

/** What `enqueue` needs: one prompt with its references, run `count` times as variations 0..count-1. */
export type BatchRequest = {
  modelId: string;
  boardId?: string | null | undefined;
  prompt: string;
  /** Asset hashes in `<image>` marker order. */
  references: string[];
  /** Unsigned 64-bit decimal; absent: a random one is drawn (and stored, so the batch is reproducible). */
  seed?: string | undefined;
  count: number;
  /** Complete: the caller has already merged the request over the model's defaults. */
  params: SamplingParams;
  bundleSha256: string;
  engineVersion: string;
  /**
   * The variation index of the first row; default 0. A re-run of variation v is a batch of one with
   * firstVariation v: it draws uniforms(seed, v) and so gives the same image.
   */
  firstVariation?: number | undefined;
  /** The `Count` the PNGs record; default firstVariation + count. A re-run keeps its original's. */
  variationCount?: number | undefined;
  /** Canvas lineage: the board items whose images are the references; the results are placed next to them. */
  sourceItemIds?: readonly string[] | undefined;
};

/** What a batch keeps besides its contract fields (see migration 0004). */
export type BatchOrigin = {
  sourceItemIds: string[];
  /** How many variations the batch that first made these images had (the PNGs' `Count`). */
  variationCount: number;
};

/** The gallery page and how many finished images match in all. */
export type GalleryPage = { total: number; generations: Generation[] };

export type BatchResult = {
  /** One per variation, in variation order. */
  resultSha256: string[];
  timings: Record<string, number>;
};

export type GenerationsRepository = {
  /** Writes the batch as `count` queued rows at the end of the queue. */
  enqueue(request: BatchRequest): { batchId: string; generations: Generation[] };
  /** Throws `not_found`. */
  get(id: string): Generation;
  /** Newest first. */
  list(options?: { statuses?: readonly GenerationStatus[] | undefined; limit?: number | undefined }): Generation[];
  /** The batch's rows in variation order; throws `not_found` for an unknown batch. */
  batch(batchId: string): Generation[];
  /** The rows of the first queued batch in queue order, or null when nothing is queued. */
  nextQueuedBatch(): Generation[] | null;
  /** queued → running; returns the rows changed (0 if the batch was cancelled meanwhile). */
  markRunning(batchId: string): number;
  /** running → done, each variation with its image. */
  markDone(batchId: string, result: BatchResult): number;
  /** queued/running → failed with the reason the user reads. */
  markFailed(batchId: string, error: string): number;
  /** queued/running → cancelled. */
  markCancelled(batchId: string): number;
  /**
   * At start-up: rows left `running` belong to a studio that stopped mid-job; they become `interrupted`
   * and are not run again unless `requeue`d. Returns the batch ids touched.
   */
  markInterrupted(): string[];
  /**
   * interrupted/failed/cancelled → queued, at the end of the queue (rows of it in the trash come back).
   * Returns the rows changed.
   */
  requeue(batchId: string): number;
  /** Lineage and recorded count of a batch; throws `not_found` for an unknown batch. */
  batchOrigin(batchId: string): BatchOrigin;

  /** Finished images matching every filter, newest first (contract `generations:search`). */
  search(search: GallerySearchInput): GalleryPage;
  /**
   * Sets the rating (null clears it) and/or the star of each row; absent fields stay. All or nothing:
   * an unknown id, or one in the trash, throws `not_found` and changes nothing. Returns the rows in `ids` order.
   */
  rate(ids: readonly string[], change: { rating?: number | null | undefined; starred?: boolean | undefined }): Generation[];
  /**
   * Moves finished rows (done, failed, cancelled, interrupted) to the trash. All or nothing: an unknown id
   * throws `not_found`, a queued or running one `conflict`. Rows already in the trash stay as they are.
   */
  trash(ids: readonly string[]): string[];
  /** Takes rows out of the trash; an unknown id throws `not_found` and changes nothing. */
  restore(ids: readonly string[]): string[];
  /**
   * Moves a queued batch to `index` among the queued batches (0 runs next; past the end: last) and
   * returns the queued batch ids in their new order. Unknown batch: `not_found`; not queued: `conflict`.
   */
  move(batchId: string, index: number): string[];
  /**
   * The queue panel: the running batch, the queued ones in run order, then the newest
   * `interruptedBatches` interrupted batches (default 50); each batch's rows in variation order.
   */
  queue(options?: { interruptedBatches?: number }): Generation[];
};

export type GenerationsRepositoryOptions = {
  now?: () => number;
  /** Test seam for the seed drawn when a request has none. */
  randomSeed?: () => string;
};

type GenerationRow = {
  id: string;
  batch_id: string;
  variation: number;
  board_id: string | null;
  model_id: string | null;
  prompt: string;
  references_json: string;
  seed: string;
  params_json: string;
  status: GenerationStatus;
  error: string | null;
  result_asset_sha256: string | null;
  rating: number | null;
  starred: number;
  deleted_at: number | null;
  queue_position: number;
  created_at: number;
  started_at: number | null;
  finished_at: number | null;
};

const columns = `id, batch_id, variation, board_id, model_id, prompt, references_json, seed, params_json, status, error,
  result_asset_sha256, rating, starred, deleted_at, queue_position, created_at, started_at, finished_at`;

/** Interrupted batches the queue panel shows by default; older ones stay readable in the library. */
const defaultInterruptedBatches = 50;

/** A uniformly random unsigned 64-bit seed. */
export function randomSeed(): string {
  return randomBytes(8).readBigUInt64BE().toString();
}

/**
 * Generations on top of the library database. Each row is one image and also its queue entry; the rows
 * of a batch move through the states together. Statements are prepared on first use so a library at an
 * older schema (tests that migrate step by step) can still be opened.
 */
export function createGenerationsRepository(db: Database, options: GenerationsRepositoryOptions = {}): GenerationsRepository {
  const now = options.now ?? Date.now;
  const drawSeed = options.randomSeed ?? randomSeed;
  const sql = lazyStatements(db);

  const get = (id: string): Generation => {
    const row = sql<[string], GenerationRow>(`SELECT ${columns} FROM generations WHERE id = ? AND deleted_at IS NULL`).get(id);
    if (row === undefined) {
      throw new StudioFailure('not_found', `No generation with id ${id}`);
    }
    return toGeneration(row);
  };

  const rowsOf = (batchId: string): Generation[] =>
    sql<[string], GenerationRow>(`SELECT ${columns} FROM generations WHERE batch_id = ? AND deleted_at IS NULL ORDER BY variation`)
      .all(batchId)
      .map(toGeneration);

  const setStatus = (batchId: string, from: readonly GenerationStatus[], set: string, values: Record<string, unknown>): number =>
    sql(
      `UPDATE generations SET ${set}
       WHERE batch_id = @batchId AND status IN (SELECT value FROM json_each(@from))`,
    ).run({ batchId, from: JSON.stringify(from), ...values }).changes;

  // Only queued rows are ever compared, so the end is past the last queued one (the queue index finds it at once).
  const endOfQueue = (): number =>
    (sql<[], { next: number }>(`SELECT coalesce(max(queue_position), 0) + 1 AS next FROM generations WHERE status = 'queued'`).get()?.next ?? 1);

  return {
    enqueue(request) {
      const batchId = randomUUID();
      const seed = request.seed ?? drawSeed();
      const firstVariation = request.firstVariation ?? 0;
      const variationCount = request.variationCount ?? firstVariation + request.count;
      if (!Number.isSafeInteger(firstVariation) || firstVariation < 0 || firstVariation + request.count > variationCount) {
        throw new RangeError(
          `variations ${firstVariation}..${firstVariation + request.count - 1} do not fit a batch of ${variationCount}`,
        );
      }
      const insert = sql(
        `INSERT INTO generations (id, batch_id, variation, board_id, model_id, status, queue_position, prompt, params_json, seed,
           references_json, bundle_sha256, engine_version, created_at, source_item_ids_json, variation_count)
         VALUES (@id, @batchId, @variation, @boardId, @modelId, 'queued', @position, @prompt, @params, @seed,
           @references, @bundleSha256, @engineVersion, @createdAt, @sources, @variationCount)`,
      );
      db.transaction(() => {
        const position = endOfQueue();
        const createdAt = now();
        for (let variation = firstVariation; variation < firstVariation + request.count; variation++) {
          insert.run({
            id: randomUUID(),
            batchId,
            variation,
            boardId: request.boardId ?? null,
            modelId: request.modelId,
            position,
            prompt: request.prompt,
            params: JSON.stringify(request.params),
            seed,
            references: JSON.stringify(request.references),
            bundleSha256: request.bundleSha256,
            engineVersion: request.engineVersion,
            createdAt,
            sources: JSON.stringify(request.sourceItemIds ?? []),
            variationCount,
          });
        }
      })();
      return { batchId, generations: rowsOf(batchId) };
    },

    get,

    list(listOptions = {}) {
      const statuses = listOptions.statuses === undefined || listOptions.statuses.length === 0 ? null : JSON.stringify(listOptions.statuses);
      return sql<[{ statuses: string | null; limit: number }], GenerationRow>(
        `SELECT ${columns} FROM generations
         WHERE deleted_at IS NULL AND (@statuses IS NULL OR status IN (SELECT value FROM json_each(@statuses)))
         ORDER BY created_at DESC, seq DESC
         LIMIT @limit`,
      )
        .all({ statuses, limit: listOptions.limit ?? 100 })
        .map(toGeneration);
    },

    batch(batchId) {
      const rows = rowsOf(batchId);
      if (rows.length === 0) {
        throw new StudioFailure('not_found', `No batch with id ${batchId}`);
      }
      return rows;
    },

    nextQueuedBatch() {
      const head = sql<[], { batch_id: string }>(
        `SELECT batch_id FROM generations WHERE status = 'queued' AND deleted_at IS NULL ORDER BY queue_position, seq LIMIT 1`,
      ).get();
      return head === undefined ? null : rowsOf(head.batch_id).filter((row) => row.status === 'queued');
    },

    markRunning(batchId) {
      return setStatus(batchId, ['queued'], `status = 'running', started_at = @time, error = NULL`, { time: now() });
    },

    markDone(batchId, result) {
      const update = sql(
        `UPDATE generations SET status = 'done', result_asset_sha256 = @sha, timings_json = @timings, finished_at = @time, error = NULL
         WHERE id = @id AND status = 'running'`,
      );
      const time = now();
      const timings = JSON.stringify(result.timings);
      return db.transaction(() => {
        // The i-th image belongs to the i-th running row: a re-run's rows start at its first variation, not 0.
        const running = sql<[string], { id: string }>(`SELECT id FROM generations WHERE batch_id = ? AND status = 'running' ORDER BY variation`).all(
          batchId,
        );
        if (running.length !== result.resultSha256.length) {
          return 0;
        }
        return running.reduce((changed, row, index) => changed + update.run({ id: row.id, sha: result.resultSha256[index], timings, time }).changes, 0);
      })();
    },

    markFailed(batchId, error) {
      return setStatus(batchId, ['queued', 'running'], `status = 'failed', error = @error, finished_at = @time`, { error, time: now() });
    },

    markCancelled(batchId) {
      return setStatus(batchId, ['queued', 'running'], `status = 'cancelled', finished_at = @time`, { time: now() });
    },

    markInterrupted() {
      return db.transaction(() => {
        const batches = sql<[], { batch_id: string }>(`SELECT DISTINCT batch_id FROM generations WHERE status = 'running'`)
          .all()
          .map((row) => row.batch_id);
        sql(
          `UPDATE generations SET status = 'interrupted', finished_at = @time,
             error = 'The studio stopped while this was generating; it can be run again.'
           WHERE status = 'running'`,
        ).run({ time: now() });
        return batches;
      })();
    },

    requeue(batchId) {
      return db.transaction(() =>
        setStatus(
          batchId,
          ['interrupted', 'failed', 'cancelled'],
          `status = 'queued', queue_position = @position, error = NULL, started_at = NULL, finished_at = NULL,
           result_asset_sha256 = NULL, timings_json = NULL, deleted_at = NULL`,
          { position: endOfQueue() },
        ),
      )();
    },

    batchOrigin(batchId) {
      const row = sql<[string], { source_item_ids_json: string; variation_count: number }>(
        'SELECT source_item_ids_json, variation_count FROM generations WHERE batch_id = ? ORDER BY variation LIMIT 1',
      ).get(batchId);
      if (row === undefined) {
        throw new StudioFailure('not_found', `No batch with id ${batchId}`);
      }
      return { sourceItemIds: JSON.parse(row.source_item_ids_json) as string[], variationCount: row.variation_count };
    },

    search(search) {
      const { where, params } = galleryFilter(search);
      const total = sql<[Record<string, unknown>], { total: number }>(`SELECT count(*) AS total FROM generations WHERE ${where}`).get(params)?.total ?? 0;
      const generations = sql<[Record<string, unknown>], GenerationRow>(
        `SELECT ${columns} FROM generations WHERE ${where} ORDER BY created_at DESC, seq DESC LIMIT @limit OFFSET @offset`,
      )
        .all({ ...params, limit: search.limit, offset: search.offset })
        .map(toGeneration);
      return { total, generations };
    },

    rate(ids, change) {
      const wanted = JSON.stringify([...new Set(ids)]);
      const sets = [
        ...(change.rating === undefined ? [] : ['rating = @rating']),
        ...(change.starred === undefined ? [] : ['starred = @starred']),
      ];
      return db.transaction(() => {
        requireRows(ids, 'SELECT id FROM generations WHERE id IN (SELECT value FROM json_each(?)) AND deleted_at IS NULL', wanted);
        if (sets.length > 0) {
          sql(`UPDATE generations SET ${sets.join(', ')} WHERE id IN (SELECT value FROM json_each(@ids)) AND deleted_at IS NULL`).run({
            ids: wanted,
            ...(change.rating === undefined ? {} : { rating: change.rating }),
            ...(change.starred === undefined ? {} : { starred: change.starred ? 1 : 0 }),
          });
        }
        return ids.map(get);
      })();
    },

    trash(ids) {
      const wanted = JSON.stringify([...new Set(ids)]);
      return db.transaction(() => {
        const rows = requireRows(ids, 'SELECT id, status FROM generations WHERE id IN (SELECT value FROM json_each(?))', wanted);
        const unfinished = rows.find((row) => row.status === 'queued' || row.status === 'running');
        if (unfinished !== undefined) {
          throw new StudioFailure(
            'conflict',
            `Generation ${unfinished.id} is still ${unfinished.status}; cancel it before moving it to the trash`,
          );
        }
        sql('UPDATE generations SET deleted_at = @time WHERE id IN (SELECT value FROM json_each(@ids)) AND deleted_at IS NULL').run({
          ids: wanted,
          time: now(),
        });
        return [...new Set(ids)];
      })();
    },

    restore(ids) {
      const wanted = JSON.stringify([...new Set(ids)]);
      return db.transaction(() => {
        requireRows(ids, 'SELECT id FROM generations WHERE id IN (SELECT value FROM json_each(?))', wanted);
        sql('UPDATE generations SET deleted_at = NULL WHERE id IN (SELECT value FROM json_each(?))').run(wanted);
        return [...new Set(ids)];
      })();
    },

    move(batchId, index) {
      return db.transaction(() => {
        const order = queuedBatchIds();
        if (!order.includes(batchId)) {
          const rows = rowsOf(batchId);
          if (rows.length === 0) {
            throw new StudioFailure('not_found', `No batch with id ${batchId}`);
          }
          throw new StudioFailure('conflict', `Only a queued batch can be moved; this one is ${rows[0]!.status}`);
        }
        const moved = order.filter((id) => id !== batchId);
        moved.splice(Math.min(index, moved.length), 0, batchId);
        const renumber = sql(`UPDATE generations SET queue_position = @position WHERE batch_id = @batchId AND status = 'queued'`);
        moved.forEach((id, position) => renumber.run({ batchId: id, position: position + 1 }));
        return moved;
      })();
    },

    queue(queueOptions = {}) {
      const running = sql<[], GenerationRow>(
        `SELECT ${columns} FROM generations WHERE status = 'running' AND deleted_at IS NULL ORDER BY started_at, batch_id, variation`,
      ).all();
      const queued = sql<[], GenerationRow>(
        `SELECT ${columns} FROM generations WHERE status = 'queued' AND deleted_at IS NULL ORDER BY queue_position, seq`,
      ).all();
      // Rows of a batch share created_at (enqueue writes one time), so the newest batches come first, whole.
      const interrupted = sql<[number], GenerationRow>(
        `SELECT ${columns} FROM generations
         WHERE status = 'interrupted' AND deleted_at IS NULL AND batch_id IN (
           SELECT batch_id FROM generations WHERE status = 'interrupted' AND deleted_at IS NULL
           GROUP BY batch_id ORDER BY max(created_at) DESC, max(seq) DESC LIMIT ?)
         ORDER BY created_at DESC, batch_id, variation`,
      ).all(queueOptions.interruptedBatches ?? defaultInterruptedBatches);
      return [...running, ...queued, ...interrupted].map(toGeneration);
    },
  };

  /** The queued batches in run order. */
  function queuedBatchIds(): string[] {
    return sql<[], { batch_id: string }>(
      `SELECT batch_id FROM generations WHERE status = 'queued' AND deleted_at IS NULL
       GROUP BY batch_id ORDER BY min(queue_position), min(seq)`,
    )
      .all()
      .map((row) => row.batch_id);
  }

  /** The rows `query` finds for the JSON list of ids; throws `not_found` naming the first id it did not find. */
  function requireRows(ids: readonly string[], query: string, wanted: string): { id: string; status: GenerationStatus }[] {
    const rows = sql<[string], { id: string; status: GenerationStatus }>(query).all(wanted);
    const found = new Set(rows.map((row) => row.id));
    const missing = ids.find((id) => !found.has(id));
    if (missing !== undefined) {
      throw new StudioFailure('not_found', `No generation with id ${missing}${ids.length > 1 ? ' (nothing was changed)' : ''}`);
    }
    return rows;
  }
}

function toGeneration(row: GenerationRow): Generation {
  return Generation.parse({
    id: row.id,
    batchId: row.batch_id,
    variation: row.variation,
    boardId: row.board_id,
    modelId: row.model_id,
    prompt: row.prompt,
    references: JSON.parse(row.references_json) as unknown,
    seed: row.seed,
    params: JSON.parse(row.params_json) as unknown,
    status: row.status,
    error: row.error,
    resultSha256: row.result_asset_sha256,
    rating: row.rating,
    starred: row.starred === 1,
    trashedAt: row.deleted_at,
    queuePosition: row.queue_position,
    createdAt: row.created_at,
    startedAt: row.started_at,
    finishedAt: row.finished_at,
  });
}
