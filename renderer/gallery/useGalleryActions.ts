/**
 * What the gallery does to images: rate and star, move to the trash and back (with an undo history
 * for Ctrl/⌘+Z and the snackbar), re-run, and place on the current board. The callbacks read the
 * current selection through a ref, so they keep their identity and the memoised grid and details
 * pane do not re-render on every keystroke in the search box.
 */
import { useCallback, useRef } from 'react';
import type { Board, Generation } from '../../preload/contract';
import { useReportError } from '../state/error-reporter';
import { useStudioClient } from '../state/studio-client-context';

export interface GallerySelection {
  /** The image the details pane shows. */
  focused: Generation | null;
  /** Selected generation ids (Ctrl/⌘-click adds); actions on "the selection" fall back to `focused`. */
  selected: string[];
  inTrash: boolean;
  currentBoard: Board | null;
}

interface GalleryActionsOptions {
  selection: GallerySelection;
  imageSizeOf(modelId: string | null): number;
  /** Updates loaded rows in place after a rating. */
  patch(rows: Generation[]): void;
  /** Removes loaded rows after they moved into or out of the trash. */
  drop(ids: readonly string[]): void;
  /** Shows a notice; `undoIds` adds an Undo that restores them. */
  notify(message: string, undoIds?: string[]): void;
  clearSelection(): void;
}

export interface GalleryActions {
  star(id: string, starred: boolean): void;
  rateFocused(rating: number | null): void;
  starFocused(starred: boolean): void;
  moveToTrash(): void;
  /** Restores `ids`, or the last batch moved to the trash. */
  undoTrash(ids?: string[]): void;
  restoreSelection(): void;
  rerun(): void;
  placeOnBoard(): void;
}

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}

export function useGalleryActions(options: GalleryActionsOptions): GalleryActions {
  const client = useStudioClient();
  const report = useReportError();
  const latest = useRef(options);
  latest.current = options;
  const trashHistory = useRef<string[][]>([]);

  const targets = (): string[] => {
    const { selected, focused } = latest.current.selection;
    return selected.length > 0 ? selected : focused ? [focused.id] : [];
  };

  const rate = useCallback(
    async (ids: string[], change: { rating?: number | null; starred?: boolean }) => {
      const result = await client.call('generations:rate', { ids, ...change });
      if (result.ok) {
        latest.current.patch(result.value.generations);
      } else {
        report(result.error);
      }
    },
    [client, report],
  );

  const restore = useCallback(
    async (ids: string[]) => {
      if (ids.length === 0) {
        return;
      }
      const result = await client.call('generations:restore', { ids });
      if (!result.ok) {
        report(result.error);
        return;
      }
      if (latest.current.selection.inTrash) {
        latest.current.drop(result.value.ids);
      }
      latest.current.notify(`Restored ${plural(result.value.ids.length, 'image')}`);
    },
    [client, report],
  );

  const moveToTrash = useCallback(async () => {
    const ids = targets();
    if (ids.length === 0 || latest.current.selection.inTrash) {
      return;
    }
    const result = await client.call('generations:trash', { ids });
    if (!result.ok) {
      report(result.error);
      return;
    }
    latest.current.drop(result.value.ids);
    trashHistory.current.push(result.value.ids);
    latest.current.clearSelection();
    latest.current.notify(`Moved ${plural(result.value.ids.length, 'image')} to the trash`, result.value.ids);
  }, [client, report]);

  const undoTrash = useCallback(
    (ids?: string[]) => {
      const last = ids ?? trashHistory.current.at(-1);
      if (!last) {
        return;
      }
      trashHistory.current = trashHistory.current.filter((entry) => entry.join() !== last.join());
      void restore(last);
    },
    [restore],
  );

  const rerun = useCallback(async () => {
    const { focused, currentBoard } = latest.current.selection;
    if (!focused) {
      return;
    }
    const result = await client.call('generations:rerun', { id: focused.id, boardId: currentBoard?.id ?? null });
    if (result.ok) {
      latest.current.notify(currentBoard ? `Re-run queued; the result goes onto “${currentBoard.name}”` : 'Re-run queued');
    } else {
      report(result.error);
    }
  }, [client, report]);

  const placeOnBoard = useCallback(async () => {
    const { focused, currentBoard } = latest.current.selection;
    if (!focused || !currentBoard || focused.resultSha256 === null) {
      return;
    }
    const size = latest.current.imageSizeOf(focused.modelId);
    // Cascade new items so several placed images do not cover each other exactly.
    const offset = 24 * (currentBoard.itemCount % 12);
    const result = await client.call('items:add', {
      boardId: currentBoard.id,
      assetSha256: focused.resultSha256,
      kind: 'generation',
      generationId: focused.id,
      x: offset,
      y: offset,
      width: size,
      height: size,
    });
    if (result.ok) {
      latest.current.notify(`Placed on “${currentBoard.name}”`);
    } else {
      report(result.error);
    }
  }, [client, report]);

  const star = useCallback((id: string, starred: boolean) => void rate([id], { starred }), [rate]);
  const rateFocused = useCallback(
    (rating: number | null) => {
      const { focused } = latest.current.selection;
      if (focused) {
        void rate([focused.id], { rating });
      }
    },
    [rate],
  );
  const starFocused = useCallback(
    (starred: boolean) => {
      const { focused } = latest.current.selection;
      if (focused) {
        void rate([focused.id], { starred });
      }
    },
    [rate],
  );

  return {
    star,
    rateFocused,
    starFocused,
    moveToTrash: useCallback(() => void moveToTrash(), [moveToTrash]),
    undoTrash,
    restoreSelection: useCallback(() => void restore(targets()), [restore]),
    rerun: useCallback(() => void rerun(), [rerun]),
    placeOnBoard: useCallback(() => void placeOnBoard(), [placeOnBoard]),
  };
}
