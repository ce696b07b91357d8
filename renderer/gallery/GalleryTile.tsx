/**
 * One tile of the gallery grid: a button whose image's alt text is the prompt, a star, and for a
 * batch of variations a badge that opens or closes the stack. Tiles drag onto a board.
 *
 * Plain elements styled by class names (the rules live once on the grid, `tileStyles`): a search
 * replaces every tile on screen, and per-tile MUI components (ripples, tooltips, emotion classes)
 * made that render several times slower than the search itself.
 */
import type { Theme } from '@mui/material/styles';
import { memo, type DragEvent, type MouseEvent } from 'react';
import { libraryImageMime, type LibraryImageDrag } from '../state/drag-types';
import { stackPath, starPath } from './gallery-icons';
import type { GalleryTile as Tile } from './gallery-stacks';

interface GalleryTileProps {
  tile: Tile;
  sizePx: number;
  selected: boolean;
  thumbnailUrl: string | null;
  imageSize: number;
  onSelect(tile: Tile, event: MouseEvent): void;
  onToggleStack(batchId: string): void;
  onStar(generationId: string, starred: boolean): void;
}

/** The tiles' CSS, applied once by the grid that holds them. */
export function tileStyles(theme: Theme) {
  const focus = { outline: `3px solid ${theme.palette.secondary.main}`, outlineOffset: -3 };
  return {
    '& .tile': { position: 'relative', borderRadius: 8, overflow: 'hidden', background: theme.palette.action.hover },
    '& .tile[data-selected="true"]': { outline: `3px solid ${theme.palette.primary.main}`, outlineOffset: -3 },
    '& .tile-main': { display: 'block', width: '100%', height: '100%', padding: 0, border: 0, background: 'none', cursor: 'pointer' },
    '& .tile-main:focus-visible': focus,
    '& .tile-main img': { width: '100%', height: '100%', objectFit: 'cover', display: 'block' },
    '& .tile-stack': {
      position: 'absolute',
      top: 6,
      right: 6,
      display: 'flex',
      alignItems: 'center',
      gap: 2,
      padding: '2px 6px',
      border: 0,
      borderRadius: 12,
      font: 'inherit',
      fontSize: 12,
      fontWeight: 700,
      cursor: 'pointer',
      color: theme.palette.common.white,
      background: 'rgba(0,0,0,0.62)',
    },
    '& .tile-stack[aria-expanded="true"]': { background: theme.palette.primary.dark },
    '& .tile-stack:focus-visible, & .tile-star:focus-visible': focus,
    '& .tile-star': {
      position: 'absolute',
      bottom: 4,
      right: 4,
      width: 30,
      height: 30,
      display: 'flex',
      alignItems: 'center',
      justifyContent: 'center',
      border: 0,
      borderRadius: '50%',
      cursor: 'pointer',
      opacity: 0,
      color: theme.palette.common.white,
      background: 'rgba(0,0,0,0.45)',
    },
    '& .tile-star[aria-pressed="true"]': { opacity: 1, color: theme.palette.warning.light },
    '& .tile:hover .tile-star, & .tile-star:focus-visible': { opacity: 1 },
  } as const;
}

export const GalleryTileView = memo(function GalleryTileView(props: GalleryTileProps) {
  const { tile, sizePx, selected, thumbnailUrl, imageSize, onSelect, onToggleStack, onStar } = props;
  const { cover } = tile;
  const startDrag = (event: DragEvent) => {
    if (cover.resultSha256 === null) {
      return;
    }
    const payload: LibraryImageDrag = { assetSha256: cover.resultSha256, generationId: cover.id, width: imageSize, height: imageSize };
    event.dataTransfer.setData(libraryImageMime, JSON.stringify(payload));
    event.dataTransfer.effectAllowed = 'copy';
  };
  const stackLabel = tile.open ? `Stack the ${tile.batchSize} variations` : `Show ${tile.batchSize} variations`;
  const starLabel = cover.starred ? 'Remove the star' : 'Star this image';
  return (
    <div className="tile" data-generation-id={cover.id} data-selected={selected} style={{ width: sizePx, height: sizePx }}>
      <button type="button" className="tile-main" aria-pressed={selected} onClick={(event) => onSelect(tile, event)} draggable onDragStart={startDrag}>
        {thumbnailUrl ? <img src={thumbnailUrl} alt={cover.prompt} loading="lazy" decoding="async" draggable={false} /> : null}
      </button>
      {tile.batchSize > 1 ? (
        <button
          type="button"
          className="tile-stack"
          aria-label={stackLabel}
          title={stackLabel}
          aria-expanded={tile.open}
          onClick={() => onToggleStack(cover.batchId)}
        >
          <svg viewBox="0 0 24 24" width={14} height={14} aria-hidden="true">
            <path d={stackPath} fill="none" stroke="currentColor" strokeWidth={1.8} strokeLinejoin="round" />
          </svg>
          {tile.open ? `${cover.variation + 1}/${tile.batchSize}` : tile.batchSize}
        </button>
      ) : null}
      <button type="button" className="tile-star" aria-label="Star" title={starLabel} aria-pressed={cover.starred} onClick={() => onStar(cover.id, !cover.starred)}>
        <svg viewBox="0 0 24 24" width={18} height={18} aria-hidden="true">
          <path d={starPath} fill={cover.starred ? 'currentColor' : 'none'} stroke="currentColor" strokeWidth={1.6} strokeLinejoin="round" />
        </svg>
      </button>
    </div>
  );
});
