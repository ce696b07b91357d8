import { describe, expect, it } from 'vitest';
import { previewDue, previewTimeShare, type PreviewClock } from './preview';

const start: PreviewClock = { now: 0, decodeStarted: 0, lastPreview: -Infinity, previewMs: 0, intervalMs: 500 };

/** A 16-row image whose rows take `rowMs` and whose previews take `previewCostMs`: the rows that get one, and the share previews took. */
function simulate(rowMs: number, previewCostMs: number): { rows: number[]; share: number } {
  const rows: number[] = [];
  let now = 0;
  let lastPreview = -Infinity;
  let previewMs = 0;
  for (let row = 1; row < 16; row++) {
    now += rowMs;
    if (previewDue({ now, decodeStarted: 0, lastPreview, previewMs, intervalMs: 500 })) {
      rows.push(row);
      lastPreview = now;
      now += previewCostMs;
      previewMs += previewCostMs;
    }
  }
  now += rowMs; // the last row has no preview: the finished image follows
  return { rows, share: previewMs / now };
}

describe('previewDue', () => {
  it('waits for the interval, and never previews with an infinite one', () => {
    expect(previewDue({ ...start, now: 500 })).toBe(true);
    expect(previewDue({ ...start, now: 900, lastPreview: 500, previewMs: 5 })).toBe(false);
    expect(previewDue({ ...start, now: 1000, lastPreview: 500, previewMs: 5 })).toBe(true);
    expect(previewDue({ ...start, now: 60_000, intervalMs: Infinity })).toBe(false);
  });

  it('gives a GPU, where a preview costs 20 ms, one every row at 500 ms a row', () => {
    expect(simulate(500, 20).rows).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15]);
  });

  it('keeps 2.2 s CPU previews to about their share of the time', () => {
    // GPT-B-sized on 2 cores: 0.5 s rows. Before the budget, 15 previews took 33 of 41 s.
    const b = simulate(500, 2200);
    expect(b.rows).toEqual([1]);
    expect(b.share).toBeLessThan(previewTimeShare + 0.05);
    // XL-sized rows (2.4 s): a preview every few rows, still within the share.
    const xl = simulate(2400, 2200);
    expect(xl.rows).toEqual([1, 4, 8, 11, 15]);
    expect(xl.share).toBeLessThan(previewTimeShare + 0.05);
  });
});
