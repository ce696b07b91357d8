/** Confirms deleting a board. */
import type { Board, Result } from '../../preload/contract';
import { ConfirmDestructiveDialog } from './ConfirmDestructiveDialog';

interface DeleteBoardDialogProps {
  open: boolean;
  board: Board;
  onClose(): void;
  onConfirm(): Promise<Result<unknown>>;
}

function describeContents(itemCount: number): string {
  if (itemCount === 0) {
    return 'It is empty.';
  }
  return itemCount === 1 ? 'It holds 1 item.' : `It holds ${itemCount} items.`;
}

export function DeleteBoardDialog({ open, board, onClose, onConfirm }: DeleteBoardDialogProps) {
  return (
    <ConfirmDestructiveDialog open={open} title="Delete board?" confirmLabel="Delete" onClose={onClose} onConfirm={onConfirm}>
      Delete “{board.name}”? {describeContents(board.itemCount)}
    </ConfirmDestructiveDialog>
  );
}
