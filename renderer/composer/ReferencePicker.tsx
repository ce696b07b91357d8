/**
 * The list typing `@` opens in the prompt: the board's images, filtered by what follows the `@`.
 * Focus stays in the prompt (the editor points at the active option with aria-activedescendant);
 * arrows move, Enter or Tab picks, Escape closes. Options take the mouse without taking focus.
 */
import Box from '@mui/material/Box';
import Paper from '@mui/material/Paper';
import Popper from '@mui/material/Popper';
import Typography from '@mui/material/Typography';
import { useMemo } from 'react';

export interface PickerOption {
  itemId: string;
  label: string;
  thumbnailUrl: string;
}

interface ReferencePickerProps {
  open: boolean;
  anchorRect: DOMRect | null;
  listboxId: string;
  options: readonly PickerOption[];
  /** True when the board has images but none matches the filter. */
  filtered: boolean;
  activeIndex: number;
  onPick(itemId: string): void;
}

export function pickerOptionId(listboxId: string, index: number): string {
  return `${listboxId}-option-${index}`;
}

export function ReferencePicker({ open, anchorRect, listboxId, options, filtered, activeIndex, onPick }: ReferencePickerProps) {
  const anchor = useMemo(
    () => (anchorRect === null ? null : { getBoundingClientRect: () => anchorRect, nodeType: 1 as const }),
    [anchorRect],
  );
  return (
    <Popper open={open && anchor !== null} anchorEl={anchor} placement="top-start" sx={{ zIndex: (theme) => theme.zIndex.modal }}>
      <Paper elevation={8} sx={{ width: 300, maxHeight: 280, overflowY: 'auto', py: 0.5 }}>
        <Typography variant="caption" color="text.secondary" sx={{ px: 1.5, display: 'block' }}>
          Board images for an &lt;image&gt; chip
        </Typography>
        {options.length === 0 ? (
          <Typography variant="body2" sx={{ px: 1.5, py: 1 }}>
            {filtered ? 'No board image matches what you typed after @' : 'This board has no images yet: add some with “Add images” on the canvas'}
          </Typography>
        ) : null}
        <Box component="ul" role="listbox" id={listboxId} aria-label="Board images" sx={{ listStyle: 'none', m: 0, p: 0 }}>
          {options.map((option, index) => (
            <Box
              component="li"
              role="option"
              key={option.itemId}
              id={pickerOptionId(listboxId, index)}
              aria-selected={index === activeIndex}
              onMouseDown={(event) => {
                // Keep the caret in the prompt.
                event.preventDefault();
                onPick(option.itemId);
              }}
              sx={{
                display: 'flex',
                alignItems: 'center',
                gap: 1,
                px: 1.5,
                py: 0.5,
                cursor: 'pointer',
                bgcolor: index === activeIndex ? 'action.selected' : 'transparent',
                '&:hover': { bgcolor: 'action.hover' },
              }}
            >
              <Box component="img" src={option.thumbnailUrl} alt="" sx={{ width: 32, height: 32, borderRadius: 1, objectFit: 'cover', flexShrink: 0 }} />
              <Typography variant="body2" noWrap>
                {option.label}
              </Typography>
            </Box>
          ))}
        </Box>
      </Paper>
    </Popper>
  );
}
