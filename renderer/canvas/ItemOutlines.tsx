/**
 * An HTML twin of the items' rectangles, laid over the canvas and moved with it by one CSS
 * transform. It draws the keyboard focus ring of the row focused in the items list, and lets tools
 * (and end-to-end tests) find where an item is on screen: `[data-canvas-item-id="…"]`. Decorative
 * for assistive technology, which reads the items list instead; it never takes pointer events.
 */
import Box from '@mui/material/Box';
import { useTheme } from '@mui/material/styles';
import { memo } from 'react';
import type { BoardItem } from '../../preload/contract';
import type { Viewport } from './viewport';

interface ItemOutlinesProps {
  items: readonly BoardItem[];
  view: Viewport;
  focusedId: string | null;
}

const Outlines = memo(function Outlines(props: { items: readonly BoardItem[]; focusedId: string | null; scale: number; ring: string }) {
  const { items, focusedId, scale, ring } = props;
  return (
    <>
      {items.map((item) => (
        // Plain elements with inline styles: hundreds of per-item sx classes would be slow to make.
        <div
          key={item.id}
          data-canvas-item-id={item.id}
          style={{
            position: 'absolute',
            left: item.x,
            top: item.y,
            width: item.width,
            height: item.height,
            outline: item.id === focusedId ? `${3 / scale}px solid ${ring}` : 'none',
            outlineOffset: 6 / scale,
          }}
        />
      ))}
    </>
  );
});

export function ItemOutlines({ items, view, focusedId }: ItemOutlinesProps) {
  const theme = useTheme();
  return (
    <Box
      aria-hidden
      sx={{ position: 'absolute', left: 0, top: 0, width: 0, height: 0, pointerEvents: 'none', transformOrigin: '0 0' }}
      style={{ transform: `translate(${view.x}px, ${view.y}px) scale(${view.scale})` }}
    >
      <Outlines items={items} focusedId={focusedId} scale={focusedId === null ? 1 : view.scale} ring={theme.palette.primary.main} />
    </Box>
  );
}
