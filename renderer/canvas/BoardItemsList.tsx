/**
 * The board as text: one row per item, named as on the canvas, with a result's lineage. It is the
 * accessible mirror of the drawing (screen readers and tests read it), a way to select by keyboard
 * (click or Enter selects, Shift adds), and rows can be dragged onto the prompt composer.
 * Collapsed, it leaves the screen but stays in the document.
 */
import Box from '@mui/material/Box';
import ButtonBase from '@mui/material/ButtonBase';
import Typography from '@mui/material/Typography';
import { memo } from 'react';
import type { BoardItem } from '../../preload/contract';
import { canvasItemMime, type CanvasItemDrag } from '../state/drag-types';
import type { ItemDescription } from './item-labels';

interface BoardItemsListProps {
  id: string;
  open: boolean;
  items: readonly BoardItem[];
  descriptions: ReadonlyMap<string, ItemDescription>;
  selected: ReadonlySet<string>;
  onSelect(itemId: string, shift: boolean): void;
  /** The row that has keyboard focus, to ring its item on the canvas. */
  onFocusItem(itemId: string | null): void;
}

const visuallyHidden = {
  position: 'absolute',
  width: 1,
  height: 1,
  overflow: 'hidden',
  clip: 'rect(0 0 0 0)',
  clipPath: 'inset(50%)',
  whiteSpace: 'nowrap',
} as const;

export const BoardItemsList = memo(function BoardItemsList(props: BoardItemsListProps) {
  const { id, open, items, descriptions, selected, onSelect, onFocusItem } = props;
  // Top of the stack first, like a layers panel.
  const rows = [...items].reverse();
  return (
    <Box
      id={id}
      sx={
        open
          ? {
              position: 'absolute',
              top: 8,
              right: 8,
              maxHeight: 'calc(100% - 16px)',
              width: 240,
              overflowY: 'auto',
              bgcolor: 'background.paper',
              border: 1,
              borderColor: 'divider',
              borderRadius: 1,
              boxShadow: 2,
              zIndex: 2,
            }
          : visuallyHidden
      }
    >
      <Typography variant="subtitle2" aria-hidden sx={{ px: 1.5, pt: 1, pb: 0.5 }}>
        Board items ({items.length})
      </Typography>
      <Box component="ul" aria-label="Board items" sx={{ listStyle: 'none', m: 0, p: 0, pb: 1 }}>
        {rows.map((item) => {
          const description = descriptions.get(item.id);
          const label = description?.label ?? 'image';
          const isSelected = selected.has(item.id);
          return (
            <Box component="li" key={item.id} aria-label={label} data-item-id={item.id} sx={{ px: 0.5 }}>
              <ButtonBase
                aria-pressed={isSelected}
                tabIndex={open ? 0 : -1}
                draggable
                onDragStart={(event) => {
                  const payload: CanvasItemDrag = { itemId: item.id };
                  event.dataTransfer.setData(canvasItemMime, JSON.stringify(payload));
                  event.dataTransfer.setData('text/plain', label);
                  event.dataTransfer.effectAllowed = 'copyLink';
                }}
                onClick={(event) => onSelect(item.id, event.shiftKey)}
                onFocus={() => onFocusItem(item.id)}
                onBlur={() => onFocusItem(null)}
                sx={{
                  width: '100%',
                  display: 'block',
                  textAlign: 'left',
                  px: 1,
                  py: 0.5,
                  borderRadius: 1,
                  bgcolor: isSelected ? 'action.selected' : 'transparent',
                  '&:hover': { bgcolor: 'action.hover' },
                  '&.Mui-focusVisible': { outline: 2, outlineColor: 'primary.main', outlineStyle: 'solid' },
                }}
              >
                <Typography variant="body2" noWrap title={label}>
                  {label}
                </Typography>
                {description?.lineage ? (
                  <Typography variant="caption" color="text.secondary" component="span" sx={{ display: 'block' }}>
                    {description.lineage}
                  </Typography>
                ) : null}
              </ButtonBase>
            </Box>
          );
        })}
      </Box>
    </Box>
  );
});
