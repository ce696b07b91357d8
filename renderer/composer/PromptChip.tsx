/**
 * One `<image>` chip in the prompt: the bound item's thumbnail and "Image n". Its accessible name
 * says which image it stands for ("Image 1: Reference: cat.png"); a chip without a usable image is
 * drawn as broken and says why. Clicking opens the chip's menu (move, choose another image, remove).
 */
import Box from '@mui/material/Box';
import type { DragEvent, MouseEvent } from 'react';
import { BrokenImageIcon } from './composer-icons';
import type { ChipState } from './prompt-problems';

/** A chip dragged inside the editor carries its offset under this type. */
export const promptChipMime = 'application/x-mentor-prompt-chip';

export function chipLabel(state: ChipState, itemLabel: string | undefined): string {
  switch (state.kind) {
    case 'ok':
      return itemLabel ?? 'image';
    case 'empty':
      return 'no image yet';
    case 'deleted':
      return 'deleted from the board';
    case 'not-in-library':
      return 'not in the library';
    case 'loading':
      return 'loading';
  }
}

interface PromptChipProps {
  /** 1-based: the n-th marker, the n-th reference. */
  number: number;
  /** The chip's offset in the prompt. */
  start: number;
  state: ChipState;
  itemLabel: string | undefined;
  thumbnailUrl: string | null;
  onOpenMenu(chipIndex: number, anchor: HTMLElement): void;
}

export function PromptChip({ number, start, state, itemLabel, thumbnailUrl, onOpenMenu }: PromptChipProps) {
  const broken = state.kind !== 'ok' && state.kind !== 'loading';
  const label = `Image ${number}: ${chipLabel(state, itemLabel)}`;

  const open = (event: MouseEvent<HTMLElement>) => {
    event.preventDefault();
    onOpenMenu(number - 1, event.currentTarget);
  };
  const startDrag = (event: DragEvent<HTMLElement>) => {
    event.dataTransfer.setData(promptChipMime, String(start));
    event.dataTransfer.effectAllowed = 'move';
  };

  return (
    <Box
      component="span"
      contentEditable={false}
      data-kind="chip"
      data-start={start}
      role="button"
      aria-label={label}
      aria-haspopup="menu"
      title={label}
      draggable
      onClick={open}
      onDragStart={startDrag}
      sx={(theme) => ({
        display: 'inline-flex',
        alignItems: 'center',
        gap: 0.5,
        height: 24,
        mx: 0.25,
        pl: 0.25,
        pr: 0.75,
        verticalAlign: 'middle',
        borderRadius: 12,
        cursor: 'pointer',
        userSelect: 'none',
        fontSize: 13,
        fontWeight: 600,
        lineHeight: 1,
        whiteSpace: 'nowrap',
        color: broken ? theme.palette.error.main : theme.palette.primary.main,
        bgcolor: broken ? 'rgba(211, 47, 47, 0.12)' : theme.palette.action.selected,
        border: `1px solid ${broken ? theme.palette.error.main : theme.palette.primary.main}`,
        '&:hover': { bgcolor: theme.palette.action.hover },
      })}
    >
      {thumbnailUrl !== null && !broken ? (
        <Box
          component="img"
          src={thumbnailUrl}
          alt=""
          draggable={false}
          sx={{ width: 20, height: 20, borderRadius: '50%', objectFit: 'cover', display: 'block' }}
        />
      ) : (
        <BrokenImageIcon sx={{ fontSize: 18, visibility: broken ? 'visible' : 'hidden' }} />
      )}
      <span aria-hidden>Image {number}</span>
    </Box>
  );
}
