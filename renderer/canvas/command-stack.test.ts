import { describe, expect, it } from 'vitest';
import {
  afterRedo,
  afterUndo,
  callFor,
  dropNextUndo,
  emptyStack,
  nextRedo,
  nextUndo,
  pushCommand,
  type CanvasCommand,
} from './command-stack';

const add: CanvasCommand = { kind: 'add', itemIds: ['a', 'b'] };
const move: CanvasCommand = { kind: 'move', moves: [{ id: 'a', from: { x: 0, y: 0 }, to: { x: 50, y: 10 } }] };
const remove: CanvasCommand = { kind: 'delete', itemIds: ['b'] };

describe('command stack', () => {
  it('undoes in reverse order and redoes in the original order', () => {
    let stack = [add, move, remove].reduce((current, command) => pushCommand(current, command), emptyStack);
    const undone: CanvasCommand[] = [];
    for (let step = 0; step < 3; step++) {
      const command = nextUndo(stack);
      expect(command).not.toBeNull();
      undone.push(command as CanvasCommand);
      stack = afterUndo(stack);
    }
    expect(undone).toEqual([remove, move, add]);
    expect(nextUndo(stack)).toBeNull();

    const redone: CanvasCommand[] = [];
    for (let step = 0; step < 3; step++) {
      redone.push(nextRedo(stack) as CanvasCommand);
      stack = afterRedo(stack);
    }
    expect(redone).toEqual([add, move, remove]);
    expect(nextRedo(stack)).toBeNull();
  });

  it('steps back more than once (the InvokeAI complaint: undo works once)', () => {
    let stack = emptyStack;
    for (let index = 0; index < 5; index++) {
      stack = pushCommand(stack, { kind: 'add', itemIds: [`item-${index}`] });
    }
    for (let index = 4; index >= 0; index--) {
      expect(nextUndo(stack)).toEqual({ kind: 'add', itemIds: [`item-${index}`] });
      stack = afterUndo(stack);
    }
  });

  it('a new action after an undo drops the redo branch', () => {
    let stack = pushCommand(pushCommand(emptyStack, add), move);
    stack = afterUndo(stack);
    expect(nextRedo(stack)).toEqual(move);
    stack = pushCommand(stack, remove);
    expect(nextRedo(stack)).toBeNull();
    expect(nextUndo(stack)).toEqual(remove);
  });

  it('ignores moves that moved nothing and actions on no items', () => {
    const still: CanvasCommand = { kind: 'move', moves: [{ id: 'a', from: { x: 3, y: 4 }, to: { x: 3, y: 4 } }] };
    expect(pushCommand(emptyStack, still)).toBe(emptyStack);
    expect(pushCommand(emptyStack, { kind: 'delete', itemIds: [] })).toBe(emptyStack);
    const mixed: CanvasCommand = {
      kind: 'move',
      moves: [
        { id: 'a', from: { x: 3, y: 4 }, to: { x: 3, y: 4 } },
        { id: 'b', from: { x: 0, y: 0 }, to: { x: 1, y: 0 } },
      ],
    };
    expect(nextUndo(pushCommand(emptyStack, mixed))).toEqual({ kind: 'move', moves: [mixed.moves[1]] });
  });

  it('keeps at most `limit` steps, dropping the oldest', () => {
    let stack = emptyStack;
    for (let index = 0; index < 5; index++) {
      stack = pushCommand(stack, { kind: 'add', itemIds: [`item-${index}`] }, 3);
    }
    expect(stack.done.map((command) => (command.kind === 'add' ? command.itemIds[0] : ''))).toEqual(['item-2', 'item-3', 'item-4']);
  });

  it('a step that cannot be replayed can be dropped without losing the ones below it', () => {
    let stack = pushCommand(pushCommand(emptyStack, add), remove);
    stack = dropNextUndo(stack);
    expect(nextUndo(stack)).toEqual(add);
    expect(nextRedo(stack)).toBeNull();
  });
});

describe('contract calls for undo and redo', () => {
  it('undo of an add deletes the items, redo restores the same ids', () => {
    expect(callFor(add, 'undo')).toEqual({ method: 'items:delete', input: { ids: ['a', 'b'] } });
    expect(callFor(add, 'redo')).toEqual({ method: 'items:restore', input: { ids: ['a', 'b'] } });
  });

  it('undo of a delete restores, redo deletes again', () => {
    expect(callFor(remove, 'undo')).toEqual({ method: 'items:restore', input: { ids: ['b'] } });
    expect(callFor(remove, 'redo')).toEqual({ method: 'items:delete', input: { ids: ['b'] } });
  });

  it('undo of a move puts every item back where it was, redo where it went', () => {
    const both: CanvasCommand = {
      kind: 'move',
      moves: [
        { id: 'a', from: { x: 0, y: 0 }, to: { x: 50, y: 10 } },
        { id: 'b', from: { x: 300, y: -20 }, to: { x: 350, y: -10 } },
      ],
    };
    expect(callFor(both, 'undo')).toEqual({
      method: 'items:update',
      input: { items: [{ id: 'a', x: 0, y: 0 }, { id: 'b', x: 300, y: -20 }] },
    });
    expect(callFor(both, 'redo')).toEqual({
      method: 'items:update',
      input: { items: [{ id: 'a', x: 50, y: 10 }, { id: 'b', x: 350, y: -10 }] },
    });
  });
});
