import { describe, expect, it } from 'vitest';
import { canRedo, canUndo, createHistory, record, redo, typingPauseMs, undo } from './edit-history';

describe('edit history', () => {
  it('undoes a run of typing in one step, and redoes it', () => {
    let history = createHistory('', 0);
    history = record(history, 'c', 'typing', 10);
    history = record(history, 'ca', 'typing', 20);
    history = record(history, 'cat', 'typing', 30);
    expect(canUndo(history)).toBe(true);
    history = undo(history);
    expect(history.present.state).toBe('');
    expect(canUndo(history)).toBe(false);
    history = redo(history);
    expect(history.present.state).toBe('cat');
    expect(canRedo(history)).toBe(false);
  });

  it('starts a new step after a pause, a line break, or another kind of edit', () => {
    let history = createHistory('', 0);
    history = record(history, 'a', 'typing', 0);
    history = record(history, 'ab', 'typing', typingPauseMs + 1);
    history = record(history, 'ab\n', 'typing', typingPauseMs + 2, true);
    history = record(history, 'ab', 'deleting', typingPauseMs + 3);
    history = record(history, 'ab[chip]', 'other', typingPauseMs + 4);
    const states: string[] = [];
    while (canUndo(history)) {
      history = undo(history);
      states.push(history.present.state);
    }
    expect(states).toEqual(['ab', 'ab\n', 'ab', 'a', '']);
  });

  it('drops the redo steps once something new is typed after an undo, and does not merge into the undone state', () => {
    let history = createHistory('', 0);
    history = record(history, 'x', 'typing', 0);
    history = record(history, 'xy', 'typing', 2000);
    history = undo(history);
    expect(history.present.state).toBe('x');
    history = record(history, 'xz', 'typing', 2001);
    expect(canRedo(history)).toBe(false);
    history = undo(history);
    expect(history.present.state).toBe('x');
  });
});
