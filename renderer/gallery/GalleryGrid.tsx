/**
 * The gallery's image grid, virtualised by rows: only the rows on screen (and a few around them)
 * exist in the DOM, so 10,000 images scroll like 100. Asks for the next page as the end comes near.
 * Arrow keys move between tiles.
 */
import { styled } from '@mui/material/styles';
import { useVirtualizer } from '@tanstack/react-virtual';
import { memo, useEffect, useLayoutEffect, useRef, useState, type KeyboardEvent, type MouseEvent } from 'react';
import { EmptyState } from '../components/EmptyState';
import { galleryLayout, gridGeometry, needsNextPage, rowCount } from './gallery-layout';
import type { GalleryTile } from './gallery-stacks';
import { GalleryTileView, tileStyles } from './GalleryTile';

interface GalleryGridProps {
  tiles: GalleryTile[];
  loadedCount: number;
  total: number;
  selectedIds: ReadonlySet<string>;
  /** The search text the tiles answer, for `data-results-for` (tests wait on it). */
  shownText: string | null;
  loading: boolean;
  thumbnailUrl(sha256: string): string;
  imageSizeOf(modelId: string | null): number;
  onSelect(tile: GalleryTile, event: MouseEvent): void;
  onToggleStack(batchId: string): void;
  onStar(generationId: string, starred: boolean): void;
  onLoadMore(): void;
  /** Shown instead of the grid when there are no tiles. */
  emptyTitle: string;
  emptyHint?: string;
}

const moves: Record<string, (index: number, columns: number) => number> = {
  ArrowLeft: (index) => index - 1,
  ArrowRight: (index) => index + 1,
  ArrowUp: (index, columns) => index - columns,
  ArrowDown: (index, columns) => index + columns,
  Home: () => 0,
};

const Scroller = styled('div')(({ theme }) => ({
  flex: 1,
  minWidth: 0,
  minHeight: 0,
  overflowY: 'auto',
  overflowX: 'hidden',
  position: 'relative',
  display: 'flex',
  flexDirection: 'column',
  ...tileStyles(theme),
}));

/** Memoised: typing in the search box re-renders the page, and the grid only needs to follow the results. */
export const GalleryGrid = memo(function GalleryGrid(props: GalleryGridProps) {
  const { tiles, loadedCount, total, selectedIds, shownText, loading, thumbnailUrl, imageSizeOf, onSelect, onToggleStack, onStar, onLoadMore } = props;
  const scrollRef = useRef<HTMLDivElement | null>(null);
  const [width, setWidth] = useState(0);

  useLayoutEffect(() => {
    const element = scrollRef.current;
    if (!element) {
      return;
    }
    setWidth(element.clientWidth);
    const observer = new ResizeObserver(() => setWidth(element.clientWidth));
    observer.observe(element);
    return () => observer.disconnect();
  }, []);

  const geometry = gridGeometry(width);
  const rows = rowCount(tiles.length, geometry.columns);
  const virtualizer = useVirtualizer({
    count: rows,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => geometry.rowPx,
    overscan: 1,
  });

  useEffect(() => {
    virtualizer.measure();
  }, [virtualizer, geometry.rowPx]);

  const visible = virtualizer.getVirtualItems();
  const lastVisibleRow = visible.at(-1)?.index ?? -1;
  useEffect(() => {
    if (width > 0 && needsNextPage({ lastVisibleRow, loadedRows: rows, loadedItems: loadedCount, total })) {
      onLoadMore();
    }
  }, [width, lastVisibleRow, rows, loadedCount, total, onLoadMore]);

  const onKeyDown = (event: KeyboardEvent) => {
    const move = moves[event.key];
    const from = (event.target as HTMLElement).closest<HTMLElement>('[data-tile-index]');
    if (!move || !from || event.altKey || event.ctrlKey || event.metaKey) {
      return;
    }
    const index = Number(from.dataset.tileIndex);
    const next = Math.min(tiles.length - 1, Math.max(0, move(index, geometry.columns)));
    if (next === index) {
      return;
    }
    event.preventDefault();
    virtualizer.scrollToIndex(Math.floor(next / geometry.columns));
    // The row may only exist after the scroll has rendered it.
    requestAnimationFrame(() => {
      scrollRef.current?.querySelector<HTMLElement>(`[data-tile-index="${next}"] .tile-main`)?.focus();
    });
  };

  return (
    <Scroller ref={scrollRef} data-results-for={shownText ?? undefined} aria-busy={loading} onKeyDown={onKeyDown}>
      {tiles.length === 0 ? (
        <EmptyState title={props.emptyTitle} hint={props.emptyHint} />
      ) : (
        <div style={{ height: virtualizer.getTotalSize() + galleryLayout.gapPx, position: 'relative', flexShrink: 0 }}>
          {visible.map((row) => {
            const first = row.index * geometry.columns;
            const rowTiles = tiles.slice(first, first + geometry.columns);
            return (
              <div
                key={row.key}
                style={{
                  position: 'absolute',
                  top: 0,
                  left: 0,
                  transform: `translateY(${row.start + galleryLayout.gapPx}px)`,
                  display: 'flex',
                  gap: galleryLayout.gapPx,
                  paddingLeft: galleryLayout.gapPx,
                }}
              >
                {rowTiles.map((tile, offset) => (
                  // Keyed by place, not by image: a new search then updates the tiles on screen in place
                  // instead of tearing them down and building new ones (the larger part of its render time).
                  <div key={offset} data-tile-index={first + offset}>
                    <GalleryTileView
                      tile={tile}
                      sizePx={geometry.tilePx}
                      selected={selectedIds.has(tile.cover.id)}
                      thumbnailUrl={tile.cover.resultSha256 ? thumbnailUrl(tile.cover.resultSha256) : null}
                      imageSize={imageSizeOf(tile.cover.modelId)}
                      onSelect={onSelect}
                      onToggleStack={onToggleStack}
                      onStar={onStar}
                    />
                  </div>
                ))}
              </div>
            );
          })}
        </div>
      )}
    </Scroller>
  );
});
