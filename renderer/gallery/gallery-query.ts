/**
 * The gallery's filters as the user sets them (strings from fields, dates as `YYYY-MM-DD`) and the
 * `generations:search` input they become. A filter the studio would refuse (a seed that is not a
 * number, half a hash) is reported here, next to its field, instead of being sent.
 */
import { GallerySearch, Seed, Sha256, type MethodInput } from '../../preload/contract';

export interface GalleryFilters {
  text: string;
  boardId: string | null;
  modelId: string | null;
  seed: string;
  referenceSha256: string;
  minRating: number | null;
  starredOnly: boolean;
  /** `YYYY-MM-DD` in local time, or empty. */
  fromDate: string;
  toDate: string;
  /** The trash instead of the gallery. */
  trash: boolean;
}

export const emptyFilters: GalleryFilters = {
  text: '',
  boardId: null,
  modelId: null,
  seed: '',
  referenceSha256: '',
  minRating: null,
  starredOnly: false,
  fromDate: '',
  toDate: '',
  trash: false,
};

export type SearchInput = MethodInput<'generations:search'>;

export type FilterField = 'text' | 'seed' | 'referenceSha256' | 'fromDate' | 'toDate';

export type BuiltSearch = { ok: true; input: SearchInput } | { ok: false; problems: Partial<Record<FilterField, string>> };

/** Local midnight of a `YYYY-MM-DD` day, or null when it is not one. */
export function dayStart(day: string): number | null {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(day);
  if (!match) {
    return null;
  }
  const [year, month, date] = [Number(match[1]), Number(match[2]) - 1, Number(match[3])];
  const time = new Date(year, month, date).getTime();
  const check = new Date(time);
  return check.getFullYear() === year && check.getMonth() === month && check.getDate() === date ? time : null;
}

/** The last millisecond of a `YYYY-MM-DD` day in local time (the range is inclusive). */
function dayEnd(day: string): number | null {
  const start = dayStart(day);
  if (start === null) {
    return null;
  }
  const next = new Date(start);
  next.setDate(next.getDate() + 1);
  return next.getTime() - 1;
}

export function buildSearch(filters: GalleryFilters, page: { offset: number; limit: number }): BuiltSearch {
  const problems: Partial<Record<FilterField, string>> = {};
  const input: SearchInput = { offset: page.offset, limit: page.limit };

  const text = filters.text.trim();
  if (text !== '') {
    if (text.length > 200) {
      problems.text = 'Search for at most 200 characters';
    }
    input.text = text;
  }
  if (filters.boardId) {
    input.boardId = filters.boardId;
  }
  if (filters.modelId) {
    input.modelId = filters.modelId;
  }
  const seed = filters.seed.trim();
  if (seed !== '') {
    const parsed = Seed.safeParse(seed);
    if (parsed.success) {
      input.seed = parsed.data;
    } else {
      problems.seed = 'A seed is a whole number from 0 to 18446744073709551615';
    }
  }
  const reference = filters.referenceSha256.trim().toLowerCase();
  if (reference !== '') {
    if (Sha256.safeParse(reference).success) {
      input.referenceSha256 = reference;
    } else {
      problems.referenceSha256 = 'Paste the 64-character sha256 of a reference image';
    }
  }
  if (filters.minRating !== null) {
    input.minRating = filters.minRating;
  }
  if (filters.starredOnly) {
    input.starred = true;
  }
  if (filters.fromDate !== '') {
    const from = dayStart(filters.fromDate);
    if (from === null || from < 0) {
      problems.fromDate = 'Not a date';
    } else {
      input.from = from;
    }
  }
  if (filters.toDate !== '') {
    const to = dayEnd(filters.toDate);
    if (to === null || to < 0) {
      problems.toDate = 'Not a date';
    } else {
      input.to = to;
    }
  }
  if (input.from !== undefined && input.to !== undefined && input.from > input.to) {
    problems.toDate = 'Ends before it starts';
  }
  if (filters.trash) {
    input.trashed = true;
  }
  if (Object.keys(problems).length > 0) {
    return { ok: false, problems };
  }
  // The contract is the judge: anything it would refuse is a bug here, not the user's.
  GallerySearch.parse(input);
  return { ok: true, input };
}

/** How many filters besides the text are set (for the "Filters (n)" button). */
export function activeFilterCount(filters: GalleryFilters): number {
  return [
    filters.boardId !== null,
    filters.modelId !== null,
    filters.seed.trim() !== '',
    filters.referenceSha256.trim() !== '',
    filters.minRating !== null,
    filters.starredOnly,
    filters.fromDate !== '',
    filters.toDate !== '',
  ].filter(Boolean).length;
}
