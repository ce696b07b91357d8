import { describe, expect, it } from 'vitest';
import { activeFilterCount, buildSearch, dayStart, emptyFilters } from './gallery-query';

const page = { offset: 0, limit: 100 };
const board = '5b1c2a4e-8f7d-4c3b-9a2e-1f0d3c4b5a69';

describe('buildSearch', () => {
  it('sends only what is set, with the text trimmed', () => {
    expect(buildSearch({ ...emptyFilters, text: '  pixel cat ' }, page)).toEqual({ ok: true, input: { offset: 0, limit: 100, text: 'pixel cat' } });
    expect(buildSearch(emptyFilters, { offset: 200, limit: 50 })).toEqual({ ok: true, input: { offset: 200, limit: 50 } });
  });

  it('combines board, model, seed, reference, rating, starred and trash', () => {
    const sha = 'AB'.repeat(32);
    const built = buildSearch(
      { ...emptyFilters, boardId: board, modelId: board, seed: ' 42 ', referenceSha256: sha, minRating: 4, starredOnly: true, trash: true },
      page,
    );
    expect(built).toEqual({
      ok: true,
      input: { offset: 0, limit: 100, boardId: board, modelId: board, seed: '42', referenceSha256: 'ab'.repeat(32), minRating: 4, starred: true, trashed: true },
    });
  });

  it('turns a day range into inclusive local timestamps', () => {
    const built = buildSearch({ ...emptyFilters, fromDate: '2026-03-01', toDate: '2026-03-01' }, page);
    expect(built.ok).toBe(true);
    if (built.ok) {
      expect(built.input.from).toBe(new Date(2026, 2, 1).getTime());
      expect(built.input.to).toBe(new Date(2026, 2, 2).getTime() - 1);
    }
  });

  it('names the field of each filter the studio would refuse, and sends nothing', () => {
    const built = buildSearch({ ...emptyFilters, seed: '-3', referenceSha256: 'abc', fromDate: '2026-02-30' }, page);
    expect(built).toEqual({
      ok: false,
      problems: {
        seed: expect.stringContaining('whole number'),
        referenceSha256: expect.stringContaining('64-character'),
        fromDate: 'Not a date',
      },
    });
    expect(buildSearch({ ...emptyFilters, fromDate: '2026-03-05', toDate: '2026-03-01' }, page)).toEqual({
      ok: false,
      problems: { toDate: 'Ends before it starts' },
    });
    expect(buildSearch({ ...emptyFilters, seed: '18446744073709551616' }, page).ok).toBe(false);
  });
});

describe('helpers', () => {
  it('reads real days only', () => {
    expect(dayStart('2026-12-31')).toBe(new Date(2026, 11, 31).getTime());
    expect(dayStart('2026-13-01')).toBeNull();
    expect(dayStart('yesterday')).toBeNull();
  });

  it('counts the filters that are set, not the text', () => {
    expect(activeFilterCount({ ...emptyFilters, text: 'cat' })).toBe(0);
    expect(activeFilterCount({ ...emptyFilters, seed: '1', starredOnly: true, minRating: 3 })).toBe(3);
  });
});
