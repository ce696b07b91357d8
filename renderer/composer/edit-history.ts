/**
 * Undo and redo for the prompt editor. The editor takes every keystroke itself (the browser's own
 * undo cannot see a prompt made of chips), so it keeps its own history: one entry per step a user
 * would call one edit — a run of typing is one step until a pause, a line break or another kind of edit.
 */

export type EditKind = 'typing' | 'deleting' | 'other';

export interface HistoryEntry<T> {
  state: T;
  kind: EditKind;
  atMs: number;
}

export interface EditHistory<T> {
  /** States before the current one, oldest first. */
  past: HistoryEntry<T>[];
  present: HistoryEntry<T>;
  /** States undone, the next redo last. */
  future: HistoryEntry<T>[];
}

/** Typing after this long a pause starts a new undo step. */
export const typingPauseMs = 1000;
export const historyLimit = 200;

export function createHistory<T>(state: T, atMs = 0): EditHistory<T> {
  return { past: [], present: { state, kind: 'other', atMs }, future: [] };
}

/**
 * Records `state` after an edit of `kind`. Typing (or deleting) right after typing (or deleting)
 * replaces the present entry instead of adding one, so undo removes the whole run.
 */
export function record<T>(history: EditHistory<T>, state: T, kind: EditKind, atMs: number, breaksRun = false): EditHistory<T> {
  const previous = history.present;
  const continuesRun = kind !== 'other' && previous.kind === kind && atMs - previous.atMs < typingPauseMs && !breaksRun;
  if (continuesRun) {
    return { past: history.past, present: { state, kind, atMs }, future: [] };
  }
  const past = [...history.past, previous].slice(-historyLimit);
  return { past, present: { state, kind, atMs }, future: [] };
}

/** Replaces the present state without an undo step (e.g. the caret moved). */
export function replacePresent<T>(history: EditHistory<T>, state: T): EditHistory<T> {
  return { ...history, present: { ...history.present, state } };
}

export function undo<T>(history: EditHistory<T>): EditHistory<T> {
  const previous = history.past.at(-1);
  if (previous === undefined) {
    return history;
  }
  // The entry we go back to is closed: typing after an undo starts a new step.
  return {
    past: history.past.slice(0, -1),
    present: { ...previous, kind: 'other' },
    future: [...history.future, history.present],
  };
}

export function redo<T>(history: EditHistory<T>): EditHistory<T> {
  const next = history.future.at(-1);
  if (next === undefined) {
    return history;
  }
  return {
    past: [...history.past, history.present],
    present: { ...next, kind: 'other' },
    future: history.future.slice(0, -1),
  };
}

export function canUndo<T>(history: EditHistory<T>): boolean {
  return history.past.length > 0;
}

export function canRedo<T>(history: EditHistory<T>): boolean {
  return history.future.length > 0;
}
