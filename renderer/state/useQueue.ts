/**
 * The generation queue for the queue panel: running and queued batches (`queue:get`), the recently
 * finished ones (`generations:list`), whether the queue is paused, and the live progress of the running
 * batch. Re-read on every `generation:state` and `queue:changed` and on each new connection (events
 * sent while the link was down are lost); progress and previews come from `generation:progress`.
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import type { EventPayload, Generation, Result } from '../../preload/contract';
import { groupBatches, recentFinished, type BatchProgress, type QueueBatch } from '../queue/queue-batches';
import { useReportError } from './error-reporter';
import { useConnectionSession, useStudioClient } from './studio-client-context';

export interface LiveProgress extends BatchProgress {
  /** The newest preview as a data: URL; kept until the next one arrives. */
  previewUrl: string | null;
}

export interface QueueModel {
  /** Running and queued batches in run order, then interrupted ones; null until the first answer. */
  active: QueueBatch[] | null;
  /** Finished batches (done, failed, cancelled), the most recently finished first. */
  finished: QueueBatch[];
  paused: boolean;
  /** Live progress by batch id, for running batches. */
  progress: ReadonlyMap<string, LiveProgress>;
  pause(): void;
  resume(): void;
  cancel(batchId: string): void;
  /** Sends an interrupted, failed or cancelled batch back to the queue. */
  resumeBatch(batchId: string): void;
  /** Moves a queued batch to `index` among the queued batches (0 runs next). */
  move(batchId: string, index: number): void;
}

/** How many finished variations to read for the "Finished" list. */
const finishedRowsLimit = 120;
const finishedBatchesShown = 30;

export function useQueue({ enabled }: { enabled: boolean }): QueueModel {
  const client = useStudioClient();
  const session = useConnectionSession();
  const report = useReportError();
  const [queueRows, setQueueRows] = useState<Generation[] | null>(null);
  const [finishedRows, setFinishedRows] = useState<Generation[]>([]);
  const [paused, setPaused] = useState(false);
  const [progress, setProgress] = useState<ReadonlyMap<string, LiveProgress>>(new Map());
  // One read at a time; a change that arrives during a read asks for one more read after it.
  const reading = useRef(false);
  const readAgain = useRef(false);
  const generation = useRef(0);

  const refresh = useCallback(async () => {
    if (reading.current) {
      readAgain.current = true;
      return;
    }
    reading.current = true;
    const started = generation.current;
    try {
      do {
        readAgain.current = false;
        const [queue, finished] = await Promise.all([
          client.call('queue:get', {}),
          client.call('generations:list', { statuses: ['done', 'failed', 'cancelled'], limit: finishedRowsLimit }),
        ]);
        if (started !== generation.current) {
          return;
        }
        if (queue.ok) {
          setQueueRows(queue.value.generations);
          setPaused(queue.value.paused);
        } else {
          report(queue.error);
        }
        if (finished.ok) {
          setFinishedRows(finished.value.generations);
        } else if (queue.ok) {
          report(finished.error);
        }
      } while (readAgain.current);
    } finally {
      reading.current = false;
    }
  }, [client, report]);

  useEffect(() => {
    if (!enabled || session === null) {
      return;
    }
    void refresh();
    const onState = (event: EventPayload<'generation:state'>) => {
      // Show the new state at once; the read that follows brings the rest (order, new rows).
      const ids = new Set(event.generationIds);
      const apply = (rows: Generation[]) =>
        rows.map((row) => (ids.has(row.id) ? { ...row, status: event.status, error: event.error } : row));
      setQueueRows((rows) => (rows ? apply(rows) : rows));
      if (event.status !== 'running') {
        setProgress((current) => without(current, event.batchId));
      }
      void refresh();
    };
    const onProgress = (event: EventPayload<'generation:progress'>) => {
      setProgress((current) => {
        const next = new Map(current);
        const previewUrl = event.preview ? `data:image/png;base64,${event.preview.pngBase64}` : (current.get(event.batchId)?.previewUrl ?? null);
        next.set(event.batchId, { row: event.row, rows: event.rows, tokensPerSecond: event.tokensPerSecond, etaMs: event.etaMs, previewUrl });
        return next;
      });
    };
    const onQueueChanged = (event: EventPayload<'queue:changed'>) => {
      setPaused(event.paused);
      void refresh();
    };
    const unsubscribe = [
      client.on('generation:state', onState),
      client.on('generation:progress', onProgress),
      client.on('queue:changed', onQueueChanged),
    ];
    return () => {
      unsubscribe.forEach((stop) => stop());
      // Answers to reads made under the old connection are dropped.
      generation.current++;
      reading.current = false;
    };
  }, [client, enabled, session, refresh]);

  /** Calls a queue method; a refusal is reported, and the queue is read again either way. */
  const act = useCallback(
    async <T>(call: () => Promise<Result<T>>, onOk?: (value: T) => void) => {
      const result = await call();
      if (result.ok) {
        onOk?.(result.value);
      } else {
        report(result.error);
      }
      void refresh();
    },
    [report, refresh],
  );

  const pause = useCallback(() => {
    void act(() => client.call('queue:pause', {}), (value) => setPaused(value.paused));
  }, [act, client]);
  const resume = useCallback(() => {
    void act(() => client.call('queue:resume', {}), (value) => setPaused(value.paused));
  }, [act, client]);
  const cancel = useCallback((batchId: string) => void act(() => client.call('generations:cancel', { batchId })), [act, client]);
  const resumeBatch = useCallback((batchId: string) => void act(() => client.call('generations:resume', { batchId })), [act, client]);
  const move = useCallback(
    (batchId: string, index: number) => void act(() => client.call('generations:move', { batchId, index })),
    [act, client],
  );

  const active = queueRows === null ? null : groupBatches(queueRows);
  const activeIds = new Set(active?.map((batch) => batch.batchId) ?? []);
  // A resumed batch is in both lists for a moment; the queue's answer wins.
  const finished = recentFinished(finishedRows, finishedBatchesShown).filter((batch) => !activeIds.has(batch.batchId));
  return { active, finished, paused, progress, pause, resume, cancel, resumeBatch, move };
}

function without<K, V>(map: ReadonlyMap<K, V>, key: K): ReadonlyMap<K, V> {
  if (!map.has(key)) {
    return map;
  }
  const next = new Map(map);
  next.delete(key);
  return next;
}
