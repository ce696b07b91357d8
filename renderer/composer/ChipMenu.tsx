/**
 * A chip's menu: move it left or right among the chips (its binding goes with it, so the n-th
 * marker stays the n-th reference), bind it to another board image, or remove it.
 */
import Box from '@mui/material/Box';
import Divider from '@mui/material/Divider';
import ListSubheader from '@mui/material/ListSubheader';
import Menu from '@mui/material/Menu';
import MenuItem from '@mui/material/MenuItem';
import { useRef } from 'react';
import type { BoardItem } from '../../preload/contract';
import type { ItemDescription } from '../canvas/item-labels';
import { bindChip, chipOffset, imageSegments, replaceRange, swapChip, type EditResult, type Segment } from './prompt-segments';

interface ChipMenuProps {
  menu: { index: number; anchor: HTMLElement } | null;
  doc: readonly Segment[];
  items: readonly BoardItem[] | null;
  descriptions: ReadonlyMap<string, ItemDescription>;
  assetUrl(sha256: string, size: number): string;
  onClose(): void;
  edit(change: (doc: Segment[]) => EditResult | null): void;
  /** The menu is gone after a choice: the caret can go back into the prompt. */
  onDone(): void;
}

export function ChipMenu({ menu, doc, items, descriptions, assetUrl, onClose, edit, onDone }: ChipMenuProps) {
  const index = menu?.index ?? 0;
  const chipCount = imageSegments(doc).length;
  const chose = useRef(false);
  const run = (change: (current: Segment[]) => EditResult | null) => {
    chose.current = true;
    onClose();
    edit(change);
  };
  const bind = (itemId: string) =>
    run((current) => {
      const at = chipOffset(current, index);
      return at === -1 ? null : { doc: bindChip(current, index, itemId), selection: { start: at + 1, end: at + 1 } };
    });

  return (
    <Menu
      open={menu !== null && menu.anchor.isConnected}
      anchorEl={menu?.anchor}
      onClose={onClose}
      // After a choice the caret goes back into the prompt, not to the chip.
      disableRestoreFocus
      slotProps={{
        paper: { sx: { maxHeight: 360, minWidth: 240 } },
        list: { 'aria-label': `Image ${index + 1}` },
        transition: {
          onExited: () => {
            if (chose.current) {
              chose.current = false;
              onDone();
            }
          },
        },
      }}
    >
      <MenuItem disabled={index === 0} onClick={() => run((current) => swapChip(current, index, -1))}>
        Move left
      </MenuItem>
      <MenuItem disabled={index >= chipCount - 1} onClick={() => run((current) => swapChip(current, index, 1))}>
        Move right
      </MenuItem>
      <MenuItem
        onClick={() =>
          run((current) => {
            const at = chipOffset(current, index);
            return at === -1 ? null : replaceRange(current, { start: at, end: at + 1 }, '');
          })
        }
      >
        Remove
      </MenuItem>
      <Divider />
      <ListSubheader sx={{ lineHeight: '32px' }}>Use another board image</ListSubheader>
      {(items ?? []).length === 0 ? <MenuItem disabled>This board has no images</MenuItem> : null}
      {(items ?? []).map((item) => (
        <MenuItem key={item.id} onClick={() => bind(item.id)} sx={{ gap: 1 }}>
          <Box component="img" src={assetUrl(item.assetSha256, 64)} alt="" sx={{ width: 28, height: 28, borderRadius: 1, objectFit: 'cover' }} />
          {descriptions.get(item.id)?.label ?? 'image'}
        </MenuItem>
      ))}
    </Menu>
  );
}
