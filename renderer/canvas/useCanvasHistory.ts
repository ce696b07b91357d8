/**
 * Runs the canvas's undo history against the library. Steps run one at a time, in order (a fast
 * Ctrl+Z Ctrl+Z must not race), and each step moves in the history only once its call succeeded.
 */
import { useCallback, useRef, useState } from 'react';
import type { BoardItem, Result, StudioError } from '../../preload/contract';
import { useReportError } from '../state/error-reporter';
import { useStudioClient } from '../state/studio-client-context';
import {
  afterRedo,
  afterUndo,
  callFor,
  describeCommand,
  dropNextRedo,
  dropNextUndo,
  emptyStack,
  nextRedo,
  nextUndo,
  pushCommand,
  type CanvasCall,
  type CanvasCommand,
  type CommandStack,
} from './command-stack';
import { mergeItems, withoutItems } from './item-list';

export interface CanvasHistory {
  canUndo: boolean;
  canRedo: boolean;
  /** Records an action that already happened (items added by `items:add`). */
  record(command: CanvasCommand): void;
  /** Runs an action (a move, a delete) and records it; false when the library refused it. */
  perform(command: CanvasCommand): Promise<boolean>;
  undo(): void;
  redo(): void;
}

/** `apply` shows the result of each call on the board at once; `reload` re-reads it after a failure. */
export function useCanvasHistory(apply: (change: (items: BoardItem[]) => BoardItem[]) => void, reload: () => void): CanvasHistory {
  const client = useStudioClient();
  const report = useReportError();
  const [stack, setStack] = useState<CommandStack>(emptyStack);
  const stackRef = useRef(stack);
  const queue = useRef<Promise<void>>(Promise.resolve());

  const update = useCallback((next: CommandStack) => {
    stackRef.current = next;
    setStack(next);
  }, []);

  const run = useCallback(
    async (call: CanvasCall): Promise<Result<unknown>> => {
      switch (call.method) {
        case 'items:delete': {
          const result = await client.call(call.method, call.input);
          if (result.ok) {
            apply((items) => withoutItems(items, result.value.ids));
          }
          return result;
        }
        case 'items:restore': {
          const result = await client.call(call.method, call.input);
          if (result.ok) {
            apply((items) => mergeItems(items, result.value.items));
          }
          return result;
        }
        case 'items:update': {
          const result = await client.call(call.method, call.input);
          if (result.ok) {
            apply((items) => mergeItems(items, result.value.items));
          }
          return result;
        }
      }
    },
    [client, apply],
  );

  const enqueue = useCallback((step: () => Promise<void>) => {
    const next = queue.current.then(step, step);
    queue.current = next;
    return next;
  }, []);

  const failed = useCallback(
    (what: string, error: StudioError) => {
      report({ ...error, message: `Could not ${what}: ${error.message}` });
      reload();
    },
    [report, reload],
  );

  const record = useCallback(
    (command: CanvasCommand) => {
      void enqueue(async () => update(pushCommand(stackRef.current, command)));
    },
    [enqueue, update],
  );

  const perform = useCallback(
    (command: CanvasCommand) =>
      new Promise<boolean>((resolve) => {
        void enqueue(async () => {
          const result = await run(callFor(command, 'redo'));
          if (result.ok) {
            update(pushCommand(stackRef.current, command));
          } else {
            failed(`finish ${describeCommand(command)}`, result.error);
          }
          resolve(result.ok);
        });
      }),
    [enqueue, run, update, failed],
  );

  const step = useCallback(
    (direction: 'undo' | 'redo') => {
      void enqueue(async () => {
        const command = direction === 'undo' ? nextUndo(stackRef.current) : nextRedo(stackRef.current);
        if (command === null) {
          return;
        }
        const result = await run(callFor(command, direction));
        if (result.ok) {
          update(direction === 'undo' ? afterUndo(stackRef.current) : afterRedo(stackRef.current));
          return;
        }
        if (result.error.code === 'not_found') {
          // The items are gone for good (their board was deleted elsewhere): skip this step.
          update(direction === 'undo' ? dropNextUndo(stackRef.current) : dropNextRedo(stackRef.current));
        }
        failed(`${direction} ${describeCommand(command)}`, result.error);
      });
    },
    [enqueue, run, update, failed],
  );

  return {
    canUndo: stack.done.length > 0,
    canRedo: stack.undone.length > 0,
    record,
    perform,
    undo: useCallback(() => step('undo'), [step]),
    redo: useCallback(() => step('redo'), [step]),
  };
}
