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
import { useKeyboardShortcut } from '../shortcuts/useKeyboardShortcut';
import { useStudioClient } from '../state/studio-client-context';
import { useModels } from '../state/useModels';
import { CompareDialog } from './CompareDialog';
import { firstPageSize } from './gallery-layout';
import { activeFilterCount, emptyFilters, type GalleryFilters } from './gallery-query';
import { stackTiles, type GalleryTile } from './gallery-stacks';
import { detailsWidthPx, GalleryDetails } from './GalleryDetails';
import { GalleryGrid } from './GalleryGrid';
import { GalleryToolbar } from './GalleryToolbar';
import type { FactNames } from './generation-facts';
import { useGalleryActions } from './useGalleryActions';
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

/** What the grid says when it has no tiles. */
function emptyMessage(state: { loaded: boolean; enabled: boolean; filtered: boolean; trash: boolean }): { title: string; hint?: string } {
  if (!state.loaded) {
    return { title: state.enabled ? 'Reading the gallery…' : 'The library cannot be used' };
  }
  if (state.filtered) {
    return { title: 'No images match', hint: 'Try fewer words or fewer filters.' };
  }
  if (state.trash) {
    return { title: 'The trash is empty', hint: 'Images you move to the trash wait here until you restore them.' };
  }
  return { title: 'No images yet', hint: 'Finished generations appear here, newest first.' };
}

export function GalleryPage({ enabled, boards, currentBoard }: GalleryPageProps) {
  const client = useStudioClient();
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
  const noticeSeq = useRef(0);

  const rows = results.rows;
  const tiles = useMemo(() => stackTiles(rows ?? [], openBatches), [rows, openBatches]);
  const rowsById = useMemo(() => new Map((rows ?? []).map((row) => [row.id, row])), [rows]);
  // Images that left the results (trashed, filtered out) leave the selection too.
  const selected = useMemo(() => selection.filter((id) => rowsById.has(id)), [selection, rowsById]);
  const selectedSet = useMemo(() => new Set(selected), [selected]);
  const focused = (focusedId !== null ? rowsById.get(focusedId) : undefined) ?? (selected.length > 0 ? rowsById.get(selected.at(-1)!) : undefined) ?? null;

  const notify = useCallback((message: string, undoIds?: string[]) => {
    noticeSeq.current += 1;
    setNotice({ id: noticeSeq.current, message, undoIds });
  }, []);
  const clearSelection = useCallback(() => {
    setSelection([]);
    setFocusedId(null);
  }, []);
  const imageSizeOf = useCallback(
    (modelId: string | null) => models?.find((model) => model.id === modelId)?.imageSize ?? defaultImageSize,
    [models],
  );
  const actions = useGalleryActions({
    selection: { focused, selected, inTrash: filters.trash, currentBoard },
    imageSizeOf,
    patch: results.patch,
    drop: results.drop,
    notify,
    clearSelection,
  });

  useKeyboardShortcut('trash', actions.moveToTrash, !filters.trash && (selected.length > 0 || focused !== null));
  useKeyboardShortcut('undo-trash', () => actions.undoTrash(), !filters.trash);

  const changeFilters = useCallback((patch: Partial<GalleryFilters>) => setFilters((current) => ({ ...current, ...patch })), []);
  const filterByReference = useCallback((sha256: string) => changeFilters({ referenceSha256: sha256, trash: false }), [changeFilters]);

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

  const names: FactNames = useMemo(
    () => ({
      modelName: (id) => (id === null ? 'none' : (models?.find((model) => model.id === id)?.name ?? 'a removed model')),
      boardName: (id) => (id === null ? 'none' : (boards?.find((board) => board.id === id)?.name ?? 'a deleted board')),
    }),
    [models, boards],
  );

  const thumbnailUrl = useCallback((sha256: string) => client.assetUrl(sha256, thumbnailPx), [client]);
  const imageUrl = useCallback((sha256: string, size?: number) => client.assetUrl(sha256, size), [client]);
  const openCompare = useCallback(() => setComparing(true), []);
  const comparePair: [Generation, Generation] | null =
    selected.length === 2 ? [rowsById.get(selected[0]!)!, rowsById.get(selected[1]!)!] : null;
  const empty = emptyMessage({
    loaded: rows !== null,
    enabled,
    filtered: filters.text.trim() !== '' || activeFilterCount(filters) > 0,
    trash: filters.trash,
  });

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
          onStar={actions.star}
          onLoadMore={results.loadMore}
          emptyTitle={empty.title}
          emptyHint={empty.hint}
        />
        <GalleryDetails
          generation={focused}
          selectedCount={selected.length}
          inTrash={filters.trash}
          names={names}
          imageUrl={imageUrl}
          boardName={currentBoard?.name ?? null}
          onRate={actions.rateFocused}
          onStar={actions.starFocused}
          onRerun={actions.rerun}
          onPlaceOnBoard={actions.placeOnBoard}
          onTrash={actions.moveToTrash}
          onRestore={actions.restoreSelection}
          onFilterByReference={filterByReference}
        />
      </Box>
      <CompareDialog
        open={comparing && comparePair !== null}
        pair={comparePair}
        names={names}
        imageUrl={(sha256) => client.assetUrl(sha256)}
        onClose={() => setComparing(false)}
      />
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
                actions.undoTrash(notice.undoIds);
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
