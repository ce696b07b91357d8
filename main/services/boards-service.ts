import type { Library } from '../library/library';
import type { EventBus } from './event-bus';
import type { StudioServices } from './router';

type BoardsService = Pick<StudioServices, 'boards:list' | 'boards:get' | 'boards:create' | 'boards:rename' | 'boards:delete'>;

/** Boards: the library does the work; this layer tells every open window what changed. */
export function createBoardsService(library: Library, events: EventBus): BoardsService {
  return {
    'boards:list': () => ({ boards: library.boards.list() }),
    'boards:get': ({ id }) => library.boards.get(id),
    'boards:create': ({ name }) => {
      const board = library.boards.create(name);
      events.emit('boards:changed', { boardId: board.id, change: 'created' });
      return board;
    },
    'boards:rename': ({ id, name }) => {
      const board = library.boards.rename(id, name);
      events.emit('boards:changed', { boardId: id, change: 'renamed' });
      return board;
    },
    'boards:delete': ({ id }) => {
      library.boards.remove(id);
      events.emit('boards:changed', { boardId: id, change: 'deleted' });
      return { id };
    },
  };
}
