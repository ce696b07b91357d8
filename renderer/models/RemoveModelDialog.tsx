/** Confirms removing a model from the library; its folder on disk stays. */
import Alert from '@mui/material/Alert';
import Button from '@mui/material/Button';
import Dialog from '@mui/material/Dialog';
import DialogActions from '@mui/material/DialogActions';
import DialogContent from '@mui/material/DialogContent';
import DialogContentText from '@mui/material/DialogContentText';
import DialogTitle from '@mui/material/DialogTitle';
import { useState } from 'react';
import type { Model, Result } from '../../preload/contract';

interface RemoveModelDialogProps {
  model: Model | null;
  onClose(): void;
  onConfirm(model: Model): Promise<Result<unknown>>;
}

export function RemoveModelDialog({ model, onClose, onConfirm }: RemoveModelDialogProps) {
  const [pending, setPending] = useState(false);
  const [failure, setFailure] = useState<string | null>(null);
  if (!model) {
    return null;
  }
  async function confirm(target: Model) {
    setPending(true);
    const result = await onConfirm(target);
    setPending(false);
    if (result.ok) {
      setFailure(null);
      onClose();
    } else {
      setFailure(result.error.message);
    }
  }
  return (
    <Dialog open onClose={pending ? undefined : onClose} fullWidth maxWidth="xs">
      <DialogTitle>Remove model?</DialogTitle>
      <DialogContent>
        <DialogContentText sx={{ overflowWrap: 'anywhere' }}>
          Remove “{model.name}” from the studio? Its folder ({model.path}) stays on disk, and the images it made stay in the
          gallery; import the folder again to use it.
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
        <Button color="error" variant="contained" onClick={() => void confirm(model)} disabled={pending}>
          Remove
        </Button>
      </DialogActions>
    </Dialog>
  );
}
