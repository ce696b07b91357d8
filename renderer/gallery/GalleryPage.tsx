/**
 * The Gallery page: every finished image in the library, searched and filtered, stacked by batch,
 * with a details pane, rating and stars, compare, re-run, place on board, and a trash with undo
 * (Del moves the selection to the trash, Ctrl/⌘+Z or the snackbar's Undo brings it back).
 */
import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import Snackbar from '@mui/material/Snackbar';
import { useCallback, useMemo, useRef, useState, type MouseEvent } from 'react';
import type { Board, Generation } from '../../preload/contract';
import { EmptyState } from '../components/EmptyState';
import { useKeyboardShortcut } from '../shortcuts/useKeyboardShortcut';
import { useReportError } from '../state/error-reporter';
import { useStudioClient } from '../state/studio-client-context';
import { useModels } from '../state/useModels';
import { CompareDialog } from './CompareDialog';
import { activeFilterCount, emptyFilters, type GalleryFilters } from './gallery-query';
import { firstPageSize } from './gallery-layout';
import { stackTiles, type GalleryTile } from './gallery-stacks';
import { detailsWidthPx, GalleryDetails } from './GalleryDetails';
import { GalleryGrid } from './GalleryGrid';
import { GalleryToolbar } from './GalleryToolbar';
import type { FactNames } from './generation-facts';
import { useGallerySearch } from './useGallerySearch';

interface GalleryPageProps {
  /** False while the library cannot be used. */
  enabled: boolean;
  boards: Board[] | null;
  /** The board selected in the Studio: re-runs and "Place on board" go there. */
  currentBoard: Board | null;
}

interface Notice {
  id: number;
  message: string;
  /** Set after a move to the trash: the ids Undo restores. */
  undoIds?: string[];
}

const thumbnailPx = 256;
const defaultImageSize = 256;
const noticeMs = 8000;

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}

export function GalleryPage({ enabled, boards, currentBoard }: GalleryPageProps) {
  const client = useStudioClient();
  const report = useReportError();
  const { models } = useModels();
  const [filters, setFilters] = useState<GalleryFilters>(emptyFilters);
  // Sized once for the window the gallery opens in (the grid is the window less the details pane and the bars).
  const [firstPage] = useState(() => firstPageSize(window.innerWidth - detailsWidthPx, window.innerHeight - 120));
  const results = useGallerySearch(filters, enabled, firstPage);
  const [openBatches, setOpenBatches] = useState<ReadonlySet<string>>(new Set());
  const [selection, setSelection] = useState<string[]>([]);
  const [focusedId, setFocusedId] = useState<string | null>(null);
  const [comparing, setComparing] = useState(false);
  const [notice, setNotice] = useState<Notice | null>(null);
  const trashed = useRef<string[][]>([]);
  const noticeSeq = useRef(0);

  const rows = results.rows;
  const tiles = useMemo(() => stackTiles(rows ?? [], openBatches), [rows, openBatches]);
  const rowsById = useMemo(() => new Map((rows ?? []).map((row) => [row.id, row])), [rows]);
  // Images that left the results (trashed, filtered out) leave the selection too.
  const selected = useMemo(() => selection.filter((id) => rowsById.has(id)), [selection, rowsById]);
  const selectedSet = useMemo(() => new Set(selected), [selected]);
  const focused = (focusedId !== null ? rowsById.get(focusedId) : undefined) ?? (selected.length > 0 ? rowsById.get(selected.at(-1)!) : undefined) ?? null;

  const show = useCallback((message: string, undoIds?: string[]) => {
    noticeSeq.current += 1;
    setNotice({ id: noticeSeq.current, message, undoIds });
  }, []);

  const changeFilters = useCallback((patch: Partial<GalleryFilters>) => setFilters((current) => ({ ...current, ...patch })), []);

  const onSelect = useCallback((tile: GalleryTile, event: MouseEvent) => {
    const id = tile.cover.id;
    if (event.ctrlKey || event.metaKey || event.shiftKey) {
      setSelection((current) => (current.includes(id) ? current.filter((other) => other !== id) : [...current, id]));
    } else {
      setSelection([id]);
    }
    setFocusedId(id);
  }, []);

  const onToggleStack = useCallback((batchId: string) => {
    setOpenBatches((current) => {
      const next = new Set(current);
      if (!next.delete(batchId)) {
        next.add(batchId);
      }
      return next;
    });
  }, []);

  const { patch, drop } = results;
  const rate = useCallback(
    async (ids: string[], change: { rating?: number | null; starred?: boolean }) => {
      const result = await client.call('generations:rate', { ids, ...change });
      if (result.ok) {
        patch(result.value.generations);
      } else {
        report(result.error);
      }
    },
    [client, patch, report],
  );
  const onStar = useCallback((id: string, starred: boolean) => void rate([id], { starred }), [rate]);

  const restore = useCallback(
    async (ids: string[], message: string) => {
      const result = await client.call('generations:restore', { ids });
      if (!result.ok) {
        report(result.error);
        return;
      }
      if (filters.trash) {
        drop(result.value.ids);
      }
      show(message);
    },
    [client, drop, filters.trash, report, show],
  );

  const moveToTrash = useCallback(async () => {
    const ids = selected.length > 0 ? selected : focused ? [focused.id] : [];
    if (ids.length === 0 || filters.trash) {
      return;
    }
    const result = await client.call('generations:trash', { ids });
    if (!result.ok) {
      report(result.error);
      return;
    }
    drop(result.value.ids);
    trashed.current.push(result.value.ids);
    setSelection([]);
    setFocusedId(null);
    show(`Moved ${plural(result.value.ids.length, 'image')} to the trash`, result.value.ids);
  }, [client, drop, filters.trash, focused, report, selected, show]);

  const undoTrash = useCallback(
    (ids?: string[]) => {
      const last = ids ?? trashed.current.at(-1);
      if (!last) {
        return;
      }
      trashed.current = trashed.current.filter((entry) => entry !== last && entry.join() !== last.join());
      void restore(last, `Restored ${plural(last.length, 'image')}`);
    },
    [restore],
  );

  useKeyboardShortcut('trash', () => void moveToTrash(), !filters.trash && (selected.length > 0 || focused !== null));
  useKeyboardShortcut('undo-trash', () => undoTrash(), !filters.trash);

  const rerun = async () => {
    if (!focused) {
      return;
    }
    const result = await client.call('generations:rerun', { id: focused.id, boardId: currentBoard?.id ?? null });
    if (result.ok) {
      show(currentBoard ? `Re-run queued; the result goes onto “${currentBoard.name}”` : 'Re-run queued');
    } else {
      report(result.error);
    }
  };

  const imageSizeOf = useCallback(
    (modelId: string | null) => models?.find((model) => model.id === modelId)?.imageSize ?? defaultImageSize,
    [models],
  );

  const placeOnBoard = async () => {
    if (!focused || !currentBoard || focused.resultSha256 === null) {
      return;
    }
    const size = imageSizeOf(focused.modelId);
    // Cascade new items so several placed images do not cover each other exactly.
    const offset = 24 * (currentBoard.itemCount % 12);
    const result = await client.call('items:add', {
      boardId: currentBoard.id,
      assetSha256: focused.resultSha256,
      kind: 'generation',
      generationId: focused.id,
      x: offset,
      y: offset,
      width: size,
      height: size,
    });
    if (result.ok) {
      show(`Placed on “${currentBoard.name}”`);
    } else {
      report(result.error);
    }
  };

  const names: FactNames = useMemo(
    () => ({
      modelName: (id) => (id === null ? 'none' : (models?.find((model) => model.id === id)?.name ?? 'a removed model')),
      boardName: (id) => (id === null ? 'none' : (boards?.find((board) => board.id === id)?.name ?? 'a deleted board')),
    }),
    [models, boards],
  );

  const thumbnailUrl = useCallback((sha256: string) => client.assetUrl(sha256, thumbnailPx), [client]);
  const imageUrl = useCallback((sha256: string, size?: number) => client.assetUrl(sha256, size), [client]);
  const comparePair: [Generation, Generation] | null =
    selected.length === 2 ? [rowsById.get(selected[0]!)!, rowsById.get(selected[1]!)!] : null;

  const openCompare = useCallback(() => setComparing(true), []);
  const filtered = filters.text.trim() !== '' || activeFilterCount(filters) > 0;
  const empty =
    rows === null ? (
      <EmptyState title={enabled ? 'Reading the gallery…' : 'The library cannot be used'} />
    ) : filtered ? (
      <EmptyState title="No images match" hint="Try fewer words or fewer filters." />
    ) : filters.trash ? (
      <EmptyState title="The trash is empty" hint="Images you move to the trash wait here until you restore them." />
    ) : (
      <EmptyState title="No images yet" hint="Finished generations appear here, newest first." />
    );

  return (
    <Box component="section" role="region" aria-label="Gallery" sx={{ flex: 1, minWidth: 0, minHeight: 0, display: 'flex', flexDirection: 'column' }}>
      <GalleryToolbar
        filters={filters}
        onChange={changeFilters}
        onTyped={results.markInput}
        problems={results.problems}
        total={rows === null ? null : results.total}
        boards={boards}
        models={models}
        selectedCount={selected.length}
        onCompare={openCompare}
      />
      <Box sx={{ flex: 1, minHeight: 0, display: 'flex' }}>
        <GalleryGrid
          tiles={tiles}
          loadedCount={rows?.length ?? 0}
          total={results.total}
          selectedIds={selectedSet}
          shownText={results.shownText}
          loading={results.loading}
          thumbnailUrl={thumbnailUrl}
          imageSizeOf={imageSizeOf}
          onSelect={onSelect}
          onToggleStack={onToggleStack}
          onStar={onStar}
          onLoadMore={results.loadMore}
          empty={empty}
        />
        <GalleryDetails
          generation={focused}
          selectedCount={selected.length}
          inTrash={filters.trash}
          names={names}
          imageUrl={imageUrl}
          boardName={currentBoard?.name ?? null}
          onRate={(rating) => focused && void rate([focused.id], { rating })}
          onStar={(starred) => focused && void rate([focused.id], { starred })}
          onRerun={() => void rerun()}
          onPlaceOnBoard={() => void placeOnBoard()}
          onTrash={() => void moveToTrash()}
          onRestore={() => void restore(selected.length > 0 ? selected : focused ? [focused.id] : [], `Restored ${plural(Math.max(1, selected.length), 'image')}`)}
          onFilterByReference={(sha256) => changeFilters({ referenceSha256: sha256, trash: false })}
        />
      </Box>
      <CompareDialog open={comparing && comparePair !== null} pair={comparePair} names={names} imageUrl={(sha256) => client.assetUrl(sha256)} onClose={() => setComparing(false)} />
      <Snackbar
        key={notice?.id}
        open={notice !== null}
        autoHideDuration={noticeMs}
        onClose={(_event, reason) => (reason === 'clickaway' ? undefined : setNotice(null))}
        anchorOrigin={{ vertical: 'bottom', horizontal: 'left' }}
        message={notice?.message}
        action={
          notice?.undoIds ? (
            <Button
              color="secondary"
              size="small"
              onClick={() => {
                undoTrash(notice.undoIds);
                setNotice(null);
              }}
            >
              Undo
            </Button>
          ) : undefined
        }
      />
    </Box>
  );
}
