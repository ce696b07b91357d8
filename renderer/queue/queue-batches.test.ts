import { describe, expect, it } from 'vitest';
import type { Generation } from '../../preload/contract';
import { batchActions, formatEta, groupBatches, progressPercent, progressText, recentFinished, statusText } from './queue-batches';

let counter = 0;
function row(batchId: string, variation: number, extra: Partial<Generation> = {}): Generation {
  counter += 1;
  return {
    id: `00000000-0000-4000-8000-${String(counter).padStart(12, '0')}`,
    batchId,
    variation,
    boardId: null,
    modelId: null,
    prompt: `prompt of ${batchId}`,
    references: [],
    seed: '1',
    params: { cfgScale: 3, temperature: 1, topK: 0, topP: 1 },
    status: 'queued',
    error: null,
    resultSha256: null,
    rating: null,
    starred: false,
    trashedAt: null,
    queuePosition: 0,
    createdAt: 1000,
    startedAt: null,
    finishedAt: null,
    ...extra,
  };
}

describe('groupBatches', () => {
  it('keeps the order batches first appear in, and sorts variations', () => {
    const batches = groupBatches([row('b', 1), row('a', 0, { status: 'running' }), row('b', 0), row('a', 1, { status: 'running' })]);
    expect(batches.map((batch) => batch.batchId)).toEqual(['b', 'a']);
    expect(batches[0]!.generations.map((generation) => generation.variation)).toEqual([0, 1]);
    expect(batches[1]!.status).toBe('running');
  });

  it('takes the failure reason from the failed rows, and a finish time only once all rows finished', () => {
    const [failed] = groupBatches([
      row('f', 0, { status: 'failed', error: 'out of memory', finishedAt: 5000 }),
      row('f', 1, { status: 'failed', error: 'out of memory', finishedAt: 5200 }),
    ]);
    expect(failed).toMatchObject({ status: 'failed', error: 'out of memory', finishedAt: 5200 });
    const [running] = groupBatches([row('r', 0, { status: 'done', finishedAt: 10 }), row('r', 1, { status: 'running' })]);
    expect(running).toMatchObject({ status: 'running', finishedAt: null });
  });
});

describe('recentFinished', () => {
  it('keeps finished batches only, the most recently finished first', () => {
    const rows = [
      row('old', 0, { status: 'done', finishedAt: 100 }),
      row('queued', 0),
      row('cancelled', 0, { status: 'cancelled', finishedAt: 300 }),
      row('failed', 0, { status: 'failed', error: 'x', finishedAt: 200 }),
      row('interrupted', 0, { status: 'interrupted' }),
    ];
    expect(recentFinished(rows, 10).map((batch) => batch.batchId)).toEqual(['cancelled', 'failed', 'old']);
    expect(recentFinished(rows, 1).map((batch) => batch.batchId)).toEqual(['cancelled']);
  });
});

describe('words and actions', () => {
  it('writes each status, with the reason of a failure', () => {
    expect(statusText({ status: 'queued', error: null })).toBe('Queued');
    expect(statusText({ status: 'failed', error: 'The engine process died' })).toBe('Failed: The engine process died');
    expect(statusText({ status: 'interrupted', error: 'stopped' })).toBe('Interrupted');
  });

  it('offers cancel while waiting or running, move while queued, resume once stopped', () => {
    expect(batchActions('running')).toEqual({ cancel: true, move: false, resume: false });
    expect(batchActions('queued')).toEqual({ cancel: true, move: true, resume: false });
    expect(batchActions('interrupted')).toEqual({ cancel: false, move: false, resume: true });
    expect(batchActions('cancelled').resume).toBe(true);
    expect(batchActions('done')).toEqual({ cancel: false, move: false, resume: false });
  });

  it('counts rows from 1 and rounds the ETA up', () => {
    expect(progressText({ row: 2, rows: 16, tokensPerSecond: 12.34, etaMs: 3200 })).toBe('Row 3 of 16 · 12.3 tokens/s · ETA 4 s');
    expect(progressText({ row: 15, rows: 16, tokensPerSecond: 512.4, etaMs: 0 })).toBe('Row 16 of 16 · 512 tokens/s · ETA 0 s');
    expect(formatEta(125_000)).toBe('ETA 2 min 5 s');
    expect(formatEta(3_780_000)).toBe('ETA 1 h 3 min');
    expect(progressPercent({ row: 3, rows: 16, tokensPerSecond: 1, etaMs: 1 })).toBe(25);
  });
});
