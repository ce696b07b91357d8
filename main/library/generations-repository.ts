import { randomBytes, randomUUID } from 'node:crypto';
import type { Database } from 'better-sqlite3';
import { Generation, type GenerationStatus, type SamplingParams } from '../../preload/contract';
import { StudioFailure } from '../services/studio-failure';
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
};

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
  /** interrupted/failed/cancelled → queued, at the end of the queue. Returns the rows changed. */
  requeue(batchId: string): number;
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
  created_at: number;
  started_at: number | null;
  finished_at: number | null;
};

const columns = `id, batch_id, variation, board_id, model_id, prompt, references_json, seed, params_json, status, error,
  result_asset_sha256, created_at, started_at, finished_at`;

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

  const endOfQueue = (): number =>
    (sql<[], { next: number }>('SELECT coalesce(max(queue_position), 0) + 1 AS next FROM generations').get()?.next ?? 1);

  return {
    enqueue(request) {
      const batchId = randomUUID();
      const seed = request.seed ?? drawSeed();
      const insert = sql(
        `INSERT INTO generations (id, batch_id, variation, board_id, model_id, status, queue_position, prompt, params_json, seed,
           references_json, bundle_sha256, engine_version, created_at)
         VALUES (@id, @batchId, @variation, @boardId, @modelId, 'queued', @position, @prompt, @params, @seed,
           @references, @bundleSha256, @engineVersion, @createdAt)`,
      );
      db.transaction(() => {
        const position = endOfQueue();
        const createdAt = now();
        for (let variation = 0; variation < request.count; variation++) {
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
         WHERE batch_id = @batchId AND variation = @variation AND status = 'running'`,
      );
      const time = now();
      const timings = JSON.stringify(result.timings);
      return db.transaction(() =>
        result.resultSha256.reduce(
          (changed, sha, variation) => changed + update.run({ batchId, variation, sha, timings, time }).changes,
          0,
        ),
      )();
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
           result_asset_sha256 = NULL, timings_json = NULL`,
          { position: endOfQueue() },
        ),
      )();
    },
  };
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
    createdAt: row.created_at,
    startedAt: row.started_at,
    finishedAt: row.finished_at,
  });
}
