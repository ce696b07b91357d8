/**
 * The gallery's results: `generations:search` for the current filters, paged as the user scrolls,
 * read again when images are rated, trashed, restored or finished elsewhere. Every change of the
 * filters sends a search at once (no debounce; answers to older searches are dropped), and the time
 * from the keystroke to the rendered results is recorded as a `gallery-search` performance measure
 * (`gallery-search-answer`: to the arrival of the answer).
 */
import { useCallback, useEffect, useLayoutEffect, useMemo, useRef, useState } from 'react';
import type { Generation } from '../../preload/contract';
import { useReportError } from '../state/error-reporter';
import { useConnectionSession, useStudioClient } from '../state/studio-client-context';
import { buildSearch, type FilterField, type GalleryFilters } from './gallery-query';

/** Rows per page loaded while scrolling (the first page is sized to the screen by the caller). */
export const galleryPageSize = 120;
/** The most the contract lets one search return; a re-read of many loaded pages stops here. */
const maxLimit = 500;
const refreshDelayMs = 150;
const noProblems: Partial<Record<FilterField, string>> = {};

export interface GalleryResults {
  /** Null until the first answer for these filters. */
  rows: Generation[] | null;
  total: number;
  /** The search text the shown rows answer (what the test and the count line read). */
  shownText: string | null;
  loading: boolean;
  problems: Partial<Record<FilterField, string>>;
  loadMore(): void;
  /** Call from the search field's change handler: the latency measure starts here. */
  markInput(): void;
  /** Replaces loaded rows by id (after rating) without a new search. */
  patch(rows: Generation[]): void;
  /** Drops rows (after trashing or restoring) without waiting for the new search. */
  drop(ids: readonly string[]): void;
}

interface Shown {
  key: string;
  text: string;
  rows: Generation[];
  total: number;
  /** Set when this answer ends a user's search: the measure is taken once it is on screen. */
  measureFrom: number | null;
}

export function useGallerySearch(filters: GalleryFilters, enabled: boolean, firstPage: number): GalleryResults {
  const client = useStudioClient();
  const session = useConnectionSession();
  const report = useReportError();
  const built = useMemo(() => buildSearch(filters, { offset: 0, limit: galleryPageSize }), [filters]);
  const key = built.ok ? JSON.stringify({ ...built.input, offset: 0, limit: 0 }) : null;
  const [shown, setShown] = useState<Shown | null>(null);
  const [loading, setLoading] = useState(false);
  const [refreshTick, setRefreshTick] = useState(0);
  const latest = useRef(0);
  const inputAt = useRef<number | null>(null);
  const loadingMore = useRef(false);
  const shownRef = useRef<Shown | null>(null);
  shownRef.current = shown;
  // loadMore reads the filters through a ref, so it stays the same function while the user types.
  const builtRef = useRef(built);
  builtRef.current = built;

  const markInput = useCallback(() => {
    inputAt.current = performance.now();
  }, []);

  // A new search for new filters (or a re-read after a change in the library). A layout effect, so the
  // request leaves as soon as React has committed the keystroke instead of after the next paint.
  useLayoutEffect(() => {
    if (!enabled || session === null || !built.ok || key === null) {
      return;
    }
    const request = ++latest.current;
    const measureFrom = inputAt.current;
    inputAt.current = null;
    const previous = shownRef.current;
    // A re-read keeps as many rows as are loaded, so the scroll position stays put.
    const limit = previous?.key === key ? Math.min(maxLimit, Math.max(firstPage, previous.rows.length)) : firstPage;
    setLoading(true);
    void client.call('generations:search', { ...built.input, limit }).then((result) => {
      if (request !== latest.current) {
        return;
      }
      if (measureFrom !== null) {
        // The answer's share of the latency (the rest is rendering): tells a slow search from a slow grid.
        performance.measure('gallery-search-answer', { start: measureFrom, end: performance.now(), detail: { text: built.input.text ?? '' } });
      }
      setLoading(false);
      if (!result.ok) {
        report(result.error);
        return;
      }
      loadingMore.current = false;
      setShown({ key, text: built.input.text ?? '', rows: result.value.generations, total: result.value.total, measureFrom });
    });
    // `built` changes exactly when `key` does; refreshTick asks for a re-read.
  }, [client, enabled, session, key, refreshTick, report, firstPage]);

  // Layout effects run after the grid below has committed its DOM: the results are on screen.
  const measured = useRef<Shown | null>(null);
  useLayoutEffect(() => {
    if (shown === null || shown.measureFrom === null || measured.current === shown) {
      return;
    }
    measured.current = shown;
    performance.measure('gallery-search', { start: shown.measureFrom, end: performance.now(), detail: { text: shown.text, total: shown.total } });
  }, [shown]);

  // Rated, trashed, restored (maybe in another window), or a batch finished: read again, once per burst.
  useEffect(() => {
    if (!enabled || session === null) {
      return;
    }
    let timer: ReturnType<typeof setTimeout> | null = null;
    const later = () => {
      if (timer === null) {
        timer = setTimeout(() => {
          timer = null;
          setRefreshTick((tick) => tick + 1);
        }, refreshDelayMs);
      }
    };
    const stops = [
      client.on('generations:changed', later),
      client.on('generation:state', (event) => (event.status === 'done' ? later() : undefined)),
    ];
    return () => {
      stops.forEach((stop) => stop());
      if (timer !== null) {
        clearTimeout(timer);
      }
    };
  }, [client, enabled, session]);

  const loadMore = useCallback(() => {
    const current = shownRef.current;
    const built = builtRef.current;
    if (!built.ok || current === null || current.key !== key || loadingMore.current || current.rows.length >= current.total) {
      return;
    }
    loadingMore.current = true;
    const request = latest.current;
    void client.call('generations:search', { ...built.input, offset: current.rows.length, limit: galleryPageSize }).then((result) => {
      if (request !== latest.current) {
        return;
      }
      loadingMore.current = false;
      if (!result.ok) {
        report(result.error);
        return;
      }
      setShown((now) => {
        if (now === null || now.key !== current.key) {
          return now;
        }
        const known = new Set(now.rows.map((row) => row.id));
        const added = result.value.generations.filter((row) => !known.has(row.id));
        return { ...now, rows: [...now.rows, ...added], total: result.value.total, measureFrom: null };
      });
    });
  }, [client, key, report]);

  const patch = useCallback((rows: Generation[]) => {
    const byId = new Map(rows.map((row) => [row.id, row]));
    setShown((now) => (now === null ? now : { ...now, rows: now.rows.map((row) => byId.get(row.id) ?? row), measureFrom: null }));
  }, []);

  const drop = useCallback((ids: readonly string[]) => {
    const gone = new Set(ids);
    setShown((now) => {
      if (now === null) {
        return now;
      }
      const rows = now.rows.filter((row) => !gone.has(row.id));
      return { ...now, rows, total: Math.max(0, now.total - (now.rows.length - rows.length)), measureFrom: null };
    });
  }, []);

  return {
    // Until the new answer arrives the old rows stay on screen (no flash of emptiness while typing).
    rows: shown?.rows ?? null,
    total: shown?.total ?? 0,
    shownText: shown !== null && shown.key === key ? shown.text : null,
    loading,
    problems: built.ok ? noProblems : built.problems,
    loadMore,
    markInput,
    patch,
    drop,
  };
}
