import type { BoardItem, EventPayload } from '../../preload/contract';
import type { Library } from '../library/library';
import type { EventBus } from './event-bus';
import type { StudioServices } from './router';
import { StudioFailure } from './studio-failure';

type ItemsService = Pick<StudioServices, 'items:list' | 'items:add' | 'items:update' | 'items:delete' | 'items:restore'>;

type ItemChange = EventPayload<'items:changed'>['change'];

/**
 * The canvas: the library keeps the items; this layer checks the image is really there and tells
 * every open window what changed, one event per board touched (one undo step may span several).
 */
export function createItemsService(library: Pick<Library, 'boardItems' | 'assets'>, events: EventBus): ItemsService {
  const announce = (items: readonly BoardItem[], change: ItemChange): void => {
    const byBoard = new Map<string, string[]>();
    for (const item of items) {
      byBoard.set(item.boardId, [...(byBoard.get(item.boardId) ?? []), item.id]);
    }
    for (const [boardId, itemIds] of byBoard) {
      events.emit('items:changed', { boardId, itemIds, change });
    }
  };

  return {
    'items:list': ({ boardId }) => ({ items: library.boardItems.list(boardId) }),

    'items:add': (input) => {
      // The row alone is not enough: the canvas shows the file, so it must be on disk too.
      if (!library.assets.has(input.assetSha256)) {
        throw new StudioFailure('not_found', `The image ${input.assetSha256} is not in the library; import it first`);
      }
      const item = library.boardItems.add(input);
      announce([item], 'added');
      return item;
    },

    'items:update': ({ items }) => {
      const updated = library.boardItems.update(items);
      announce(updated, 'updated');
      return { items: updated };
    },

    'items:delete': ({ ids }) => {
      const deleted = library.boardItems.softDelete(ids);
      announce(deleted, 'deleted');
      return { ids: deleted.map((item) => item.id) };
    },

    'items:restore': ({ ids }) => {
      const restored = library.boardItems.restore(ids);
      announce(restored, 'restored');
      return { items: restored };
    },
  };
}
