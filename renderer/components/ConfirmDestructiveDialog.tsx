/**
 * The studio's one "are you sure?" dialog for deleting or removing something: Cancel has the focus,
 * the destructive button runs `onConfirm`, and a refusal from main stays in the dialog (with its
 * message) instead of closing it, so the user sees why nothing happened.
 */
import Alert from '@mui/material/Alert';
import Button from '@mui/material/Button';
import Dialog from '@mui/material/Dialog';
import DialogActions from '@mui/material/DialogActions';
import DialogContent from '@mui/material/DialogContent';
import DialogContentText from '@mui/material/DialogContentText';
import DialogTitle from '@mui/material/DialogTitle';
import { useState, type ReactNode } from 'react';
import type { Result } from '../../preload/contract';

interface ConfirmDestructiveDialogProps {
  open: boolean;
  title: string;
  children: ReactNode;
  confirmLabel: string;
  onClose(): void;
  onConfirm(): Promise<Result<unknown>>;
}

export function ConfirmDestructiveDialog({ open, title, children, confirmLabel, onClose, onConfirm }: ConfirmDestructiveDialogProps) {
  const [pending, setPending] = useState(false);
  const [failure, setFailure] = useState<string | null>(null);

  async function confirm() {
    setPending(true);
    const result = await onConfirm();
    setPending(false);
    if (result.ok) {
      setFailure(null);
      onClose();
    } else {
      setFailure(result.error.message);
    }
  }

  return (
    <Dialog open={open} onClose={pending ? undefined : onClose} fullWidth maxWidth="xs">
      <DialogTitle>{title}</DialogTitle>
      <DialogContent>
        <DialogContentText sx={{ overflowWrap: 'anywhere' }}>{children}</DialogContentText>
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
          {confirmLabel}
        </Button>
      </DialogActions>
    </Dialog>
  );
}
