/**
 * The prompt of one board while it is being written: the segments, the selection, undo/redo, and
 * its copy in localStorage (saved on every change, read when the board is opened).
 */
import { useCallback, useEffect, useLayoutEffect, useMemo, useRef, useState } from 'react';
import { canRedo, canUndo, createHistory, record, redo, undo, type EditHistory, type EditKind } from './edit-history';
import { loadDraft, saveDraft } from './composer-storage';
import { promptLength, type EditResult, type Segment, type Span } from './prompt-segments';

interface Snapshot {
  doc: Segment[];
  selection: Span;
}

export interface PromptDraft {
  doc: Segment[];
  /** Where the editor should put the selection; applied whenever `selectionSeq` changes. */
  selection: Span;
  selectionSeq: number;
  canUndo: boolean;
  canRedo: boolean;
  /** Applies an edit computed from the current prompt (null: nothing to do). */
  /**
   * Applies an edit of the current prompt (null: nothing to do). The edit gets the prompt only: the
   * caller reads the selection when its event happens (the editor from the DOM, others from `caret`).
   */
  apply(edit: (doc: Segment[]) => EditResult | null, kind: EditKind, breaksRun?: boolean): void;
  undo(): void;
  redo(): void;
  /** The editor reports the caret here as it moves (no re-render); insertions from outside use it. */
  caret: { current: Span };
}

export function usePromptDraft(storageId: string): PromptDraft {
  const [state, setState] = useState(() => {
    const doc = loadDraft(storageId);
    const end = promptLength(doc);
    return { history: createHistory<Snapshot>({ doc, selection: { start: end, end } }), seq: 0 };
  });
  const caret = useRef<Span>(state.history.present.state.selection);

  const apply = useCallback<PromptDraft['apply']>((edit, kind, breaksRun = false) => {
    setState((current) => {
      const result = edit(current.history.present.state.doc);
      if (result === null) {
        return current;
      }
      const history: EditHistory<Snapshot> = record(current.history, result, kind, Date.now(), breaksRun);
      return { history, seq: current.seq + 1 };
    });
  }, []);

  const step = useCallback((move: (history: EditHistory<Snapshot>) => EditHistory<Snapshot>) => {
    setState((current) => {
      const history = move(current.history);
      return history === current.history ? current : { history, seq: current.seq + 1 };
    });
  }, []);

  const { doc, selection } = state.history.present.state;
  // After every edit (and undo/redo) the caret is where the edit left it, until the editor reports a move.
  useLayoutEffect(() => {
    caret.current = selection;
  }, [selection, state.seq]);

  useEffect(() => {
    saveDraft(storageId, doc);
  }, [storageId, doc]);

  return useMemo(
    () => ({
      doc,
      selection,
      selectionSeq: state.seq,
      canUndo: canUndo(state.history),
      canRedo: canRedo(state.history),
      apply,
      undo: () => step(undo),
      redo: () => step(redo),
      caret,
    }),
    [doc, selection, state.seq, state.history, apply, step],
  );
}
