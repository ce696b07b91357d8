/** Confirms deleting a board. */
import Alert from '@mui/material/Alert';
import Button from '@mui/material/Button';
import Dialog from '@mui/material/Dialog';
import DialogActions from '@mui/material/DialogActions';
import DialogContent from '@mui/material/DialogContent';
import DialogContentText from '@mui/material/DialogContentText';
import DialogTitle from '@mui/material/DialogTitle';
import { useState } from 'react';
import type { Board, Result } from '../../preload/contract';

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
  const [pending, setPending] = useState(false);
  const [failure, setFailure] = useState<string | null>(null);

  async function confirm() {
    setPending(true);
    const result = await onConfirm();
    setPending(false);
    if (result.ok) {
      onClose();
    } else {
      setFailure(result.error.message);
    }
  }

  return (
    <Dialog open={open} onClose={pending ? undefined : onClose} fullWidth maxWidth="xs">
      <DialogTitle>Delete board?</DialogTitle>
      <DialogContent>
        <DialogContentText sx={{ overflowWrap: 'anywhere' }}>
          Delete “{board.name}”? {describeContents(board.itemCount)}
        </DialogContentText>
        {failure ? (
          <Alert severity="error" sx={{ mt: 2 }}>
            {failure}
          </Alert>
        ) : null}
      </DialogContent>
      <DialogActions>
        <Button onClick={onClose} disabled={pending} autoFocus>
          Cancel
        </Button>
        <Button color="error" variant="contained" onClick={() => void confirm()} disabled={pending}>
          Delete
        </Button>
      </DialogActions>
    </Dialog>
  );
}
