/**
 * The canvas's undo history as plain data. A command records what one user action did (add, move,
 * delete of one or several items); `callsFor` turns it into the contract calls that undo or redo it.
 * Running those calls is the hook's job (useCanvasHistory), so everything here is pure and tested.
 *
 * Deleting is a soft delete in the library, so undoing an add is `items:delete` and undoing a delete
 * is `items:restore`: the same item ids come back, and lineage that points at them stays valid.
 */
import type { MethodInput } from '../../preload/contract';

export interface Point {
  x: number;
  y: number;
}

export interface ItemMove {
  id: string;
  from: Point;
  to: Point;
}

export type CanvasCommand =
  | { kind: 'add'; itemIds: string[] }
  | { kind: 'delete'; itemIds: string[] }
  | { kind: 'move'; moves: ItemMove[] };

export type CanvasCall =
  | { method: 'items:delete'; input: MethodInput<'items:delete'> }
  | { method: 'items:restore'; input: MethodInput<'items:restore'> }
  | { method: 'items:update'; input: MethodInput<'items:update'> };

export interface CommandStack {
  /** Oldest first; the last entry is the next to undo. */
  readonly done: readonly CanvasCommand[];
  /** Undone commands, the last entry is the next to redo. Emptied by any new command. */
  readonly undone: readonly CanvasCommand[];
}

/** Enough for a long session; the oldest steps fall off first. */
export const maxHistoryLength = 200;

export const emptyStack: CommandStack = { done: [], undone: [] };

/** Records a new user action: it becomes the next undo, and the redo branch is dropped. */
export function pushCommand(stack: CommandStack, command: CanvasCommand, limit = maxHistoryLength): CommandStack {
  const kept = withoutNoOps(command);
  if (kept === null) {
    return stack;
  }
  const done = [...stack.done, kept];
  return { done: done.length > limit ? done.slice(done.length - limit) : done, undone: [] };
}

export function nextUndo(stack: CommandStack): CanvasCommand | null {
  return stack.done.at(-1) ?? null;
}

export function nextRedo(stack: CommandStack): CanvasCommand | null {
  return stack.undone.at(-1) ?? null;
}

/** After the calls of `nextUndo` succeeded: that command moves to the redo side. */
export function afterUndo(stack: CommandStack): CommandStack {
  const command = nextUndo(stack);
  if (command === null) {
    return stack;
  }
  return { done: stack.done.slice(0, -1), undone: [...stack.undone, command] };
}

/** After the calls of `nextRedo` succeeded: that command is done again. */
export function afterRedo(stack: CommandStack): CommandStack {
  const command = nextRedo(stack);
  if (command === null) {
    return stack;
  }
  return { done: [...stack.done, command], undone: stack.undone.slice(0, -1) };
}

/**
 * Drops a command that can no longer be replayed (its items were removed elsewhere and the library
 * said `not_found`), so one stale step does not block the whole history.
 */
export function dropNextUndo(stack: CommandStack): CommandStack {
  return { done: stack.done.slice(0, -1), undone: stack.undone };
}

export function dropNextRedo(stack: CommandStack): CommandStack {
  return { done: stack.done, undone: stack.undone.slice(0, -1) };
}

/** The contract call that undoes (`undo`) or repeats (`redo`) a command. */
export function callFor(command: CanvasCommand, direction: 'undo' | 'redo'): CanvasCall {
  switch (command.kind) {
    case 'add':
      return direction === 'undo'
        ? { method: 'items:delete', input: { ids: command.itemIds } }
        : { method: 'items:restore', input: { ids: command.itemIds } };
    case 'delete':
      return direction === 'undo'
        ? { method: 'items:restore', input: { ids: command.itemIds } }
        : { method: 'items:delete', input: { ids: command.itemIds } };
    case 'move':
      return {
        method: 'items:update',
        input: {
          items: command.moves.map((move) => {
            const target = direction === 'undo' ? move.from : move.to;
            return { id: move.id, x: target.x, y: target.y };
          }),
        },
      };
  }
}

/** Human words for a command, for tooltips and messages ("Undo move of 2 items"). */
export function describeCommand(command: CanvasCommand): string {
  const count = command.kind === 'move' ? command.moves.length : command.itemIds.length;
  const items = count === 1 ? '1 item' : `${count} items`;
  switch (command.kind) {
    case 'add':
      return `adding ${items}`;
    case 'delete':
      return `deleting ${items}`;
    case 'move':
      return `moving ${items}`;
  }
}

/** A click without movement, or an action on nothing, is not a step the user wants to undo. */
function withoutNoOps(command: CanvasCommand): CanvasCommand | null {
  if (command.kind === 'move') {
    const moves = command.moves.filter((move) => move.from.x !== move.to.x || move.from.y !== move.to.y);
    return moves.length === 0 ? null : { kind: 'move', moves };
  }
  return command.itemIds.length === 0 ? null : command;
}
