/**
 * The queue panel's view of generations: one entry per batch (the variations of one Generate), its
 * status, and the words the panel shows for it. Rows arrive per variation from `queue:get` and
 * `generations:list`; the panel thinks in batches.
 */
import type { Generation, GenerationStatus } from '../../preload/contract';

export interface QueueBatch {
  batchId: string;
  prompt: string;
  status: GenerationStatus;
  /** The reason a failed or interrupted batch gives. */
  error: string | null;
  /** The variations, in variation order. */
  generations: Generation[];
  createdAt: number;
  /** The last variation's finish time; null while any is unfinished. */
  finishedAt: number | null;
}

// One job runs a whole batch, so its rows share a status; if they ever differ the batch shows the one
// that still needs the user (running before queued before interrupted …).
const statusPrecedence: readonly GenerationStatus[] = ['running', 'queued', 'interrupted', 'failed', 'cancelled', 'done'];

export function batchStatus(generations: readonly Generation[]): GenerationStatus {
  for (const status of statusPrecedence) {
    if (generations.some((generation) => generation.status === status)) {
      return status;
    }
  }
  return 'done';
}

/** Groups rows into batches, in the order each batch first appears. */
export function groupBatches(generations: readonly Generation[]): QueueBatch[] {
  const byBatch = new Map<string, Generation[]>();
  for (const generation of generations) {
    const rows = byBatch.get(generation.batchId);
    if (rows) {
      rows.push(generation);
    } else {
      byBatch.set(generation.batchId, [generation]);
    }
  }
  return [...byBatch.entries()].map(([batchId, rows]) => {
    const sorted = [...rows].sort((a, b) => a.variation - b.variation);
    const status = batchStatus(sorted);
    const first = sorted[0]!;
    const finishTimes = sorted.map((row) => row.finishedAt);
    return {
      batchId,
      prompt: first.prompt,
      status,
      error: sorted.find((row) => row.error !== null)?.error ?? null,
      generations: sorted,
      createdAt: first.createdAt,
      finishedAt: finishTimes.every((time) => time !== null) ? Math.max(...(finishTimes as number[])) : null,
    };
  });
}

/** Finished batches (done, failed, cancelled), the most recently finished first, at most `limit`. */
export function recentFinished(generations: readonly Generation[], limit: number): QueueBatch[] {
  return groupBatches(generations)
    .filter((batch) => batch.status === 'done' || batch.status === 'failed' || batch.status === 'cancelled')
    .sort((a, b) => (b.finishedAt ?? b.createdAt) - (a.finishedAt ?? a.createdAt))
    .slice(0, limit);
}

const statusWords: Record<GenerationStatus, string> = {
  queued: 'Queued',
  running: 'Running',
  done: 'Done',
  failed: 'Failed',
  cancelled: 'Cancelled',
  interrupted: 'Interrupted',
};

/** "Queued", "Running", "Failed: <reason>", … */
export function statusText(batch: Pick<QueueBatch, 'status' | 'error'>): string {
  if (batch.status === 'failed') {
    return `Failed: ${batch.error ?? 'no reason was given'}`;
  }
  return statusWords[batch.status];
}

/** What the user can do with a batch in this state. */
export function batchActions(status: GenerationStatus): { cancel: boolean; move: boolean; resume: boolean } {
  return {
    cancel: status === 'queued' || status === 'running',
    move: status === 'queued',
    resume: status === 'interrupted' || status === 'failed' || status === 'cancelled',
  };
}

export interface BatchProgress {
  /** 0-based index of the last finished image row. */
  row: number;
  rows: number;
  tokensPerSecond: number;
  etaMs: number;
}

/** "ETA 4 s", "ETA 2 min 5 s", "ETA 1 h 3 min". */
export function formatEta(etaMs: number): string {
  const seconds = Math.max(0, Math.ceil(etaMs / 1000));
  if (seconds < 60) {
    return `ETA ${seconds} s`;
  }
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) {
    const rest = seconds % 60;
    return rest === 0 ? `ETA ${minutes} min` : `ETA ${minutes} min ${rest} s`;
  }
  return `ETA ${Math.floor(minutes / 60)} h ${minutes % 60} min`;
}

function formatRate(tokensPerSecond: number): string {
  return tokensPerSecond >= 100 ? tokensPerSecond.toFixed(0) : tokensPerSecond.toFixed(1);
}

/** "Row 3 of 16 · 12.3 tokens/s · ETA 4 s" (rows counted from 1 for the user). */
export function progressText(progress: BatchProgress): string {
  const row = Math.min(progress.row + 1, progress.rows);
  return `Row ${row} of ${progress.rows} · ${formatRate(progress.tokensPerSecond)} tokens/s · ${formatEta(progress.etaMs)}`;
}

/** Share of rows finished, 0–100, for a progress bar. */
export function progressPercent(progress: BatchProgress): number {
  return Math.min(100, Math.max(0, ((progress.row + 1) / progress.rows) * 100));
}
