/**
 * Pointer handling for items: press selects (Shift toggles), click narrows a group to one item,
 * dragging moves every selected item together. A drag that ends over the prompt composer does not
 * move anything: the items snap back and become references of the prompt.
 */
import type Konva from 'konva';
import { useMemo, useRef, useState } from 'react';
import type { BoardItem } from '../../preload/contract';
import type { ItemPointerHandlers } from './CanvasItemNode';
import type { ItemMove, Point } from './command-stack';
import { isOverComposer } from './composer-target';
import { clickItem, pressItem, type Selection } from './selection';

interface ItemDragOptions {
  /** The latest items by id (a ref, so handlers stay stable while items change). */
  itemsById: { readonly current: ReadonlyMap<string, BoardItem> };
  selection: { readonly current: Selection };
  setSelection(selection: Selection): void;
  onMoved(moves: ItemMove[]): void;
  onDroppedOnComposer(itemIds: string[]): void;
}

interface ActiveDrag {
  ids: string[];
  starts: Map<string, Point>;
}

function clientPointOf(event: { evt: unknown }): Point | null {
  const native = event.evt as { clientX?: unknown; clientY?: unknown } | null;
  if (native && typeof native.clientX === 'number' && typeof native.clientY === 'number') {
    return { x: native.clientX, y: native.clientY };
  }
  return null;
}

export function useItemDrag(options: ItemDragOptions): { handlers: ItemPointerHandlers; overComposer: boolean } {
  const latest = useRef(options);
  latest.current = options;
  const nodes = useRef(new Map<string, Konva.Group>());
  const drag = useRef<ActiveDrag | null>(null);
  // A click that ends a drag is not a selection click.
  const dragged = useRef(false);
  const [overComposer, setOverComposer] = useState(false);

  const handlers = useMemo<ItemPointerHandlers>(
    () => ({
      register(id, node) {
        if (node) {
          nodes.current.set(id, node);
        } else {
          nodes.current.delete(id);
        }
      },
      onPress(id, event) {
        if (event.evt.button !== 0) {
          return;
        }
        dragged.current = false;
        const { selection, setSelection } = latest.current;
        const next = pressItem(selection.current, id, event.evt.shiftKey);
        if (next !== selection.current) {
          setSelection(next);
        }
      },
      onClick(id, event) {
        if (dragged.current || event.evt.button !== 0) {
          return;
        }
        const { selection, setSelection } = latest.current;
        const next = clickItem(selection.current, id, event.evt.shiftKey);
        if (next !== selection.current) {
          setSelection(next);
        }
      },
      onDragStart(id) {
        dragged.current = true;
        const { selection, itemsById } = latest.current;
        const ids = selection.current.includes(id) ? [...selection.current] : [id];
        const starts = new Map<string, Point>();
        for (const itemId of ids) {
          const item = itemsById.current.get(itemId);
          if (item) {
            starts.set(itemId, { x: item.x, y: item.y });
          }
        }
        drag.current = { ids: ids.filter((itemId) => starts.has(itemId)), starts };
      },
      onDragMove(id, event) {
        const active = drag.current;
        const node = nodes.current.get(id);
        const start = active?.starts.get(id);
        if (!active || !node || !start) {
          return;
        }
        const dx = node.x() - start.x;
        const dy = node.y() - start.y;
        for (const other of active.ids) {
          const otherStart = active.starts.get(other);
          if (other !== id && otherStart) {
            nodes.current.get(other)?.position({ x: otherStart.x + dx, y: otherStart.y + dy });
          }
        }
        const pointer = clientPointOf(event);
        setOverComposer(pointer !== null && isOverComposer(pointer.x, pointer.y));
      },
      onDragEnd(id, event) {
        const active = drag.current;
        drag.current = null;
        setOverComposer(false);
        const node = nodes.current.get(id);
        const start = active?.starts.get(id);
        if (!active || !node || !start) {
          return;
        }
        const pointer = clientPointOf(event);
        if (pointer !== null && isOverComposer(pointer.x, pointer.y)) {
          for (const itemId of active.ids) {
            const itemStart = active.starts.get(itemId);
            if (itemStart) {
              nodes.current.get(itemId)?.position(itemStart);
            }
          }
          node.getLayer()?.batchDraw();
          latest.current.onDroppedOnComposer(active.ids);
          return;
        }
        const dx = node.x() - start.x;
        const dy = node.y() - start.y;
        latest.current.onMoved(
          active.ids.flatMap((itemId) => {
            const from = active.starts.get(itemId);
            return from ? [{ id: itemId, from, to: { x: from.x + dx, y: from.y + dy } }] : [];
          }),
        );
      },
    }),
    [],
  );

  return { handlers, overComposer };
}
