/** Asks for a preset's name; saving under a name already used replaces that preset (the dialog says so). */
import Alert from '@mui/material/Alert';
import Button from '@mui/material/Button';
import Dialog from '@mui/material/Dialog';
import DialogActions from '@mui/material/DialogActions';
import DialogContent from '@mui/material/DialogContent';
import DialogTitle from '@mui/material/DialogTitle';
import TextField from '@mui/material/TextField';
import { useState, type FormEvent } from 'react';
import type { Result } from '../../preload/contract';

export const presetNameMaxLength = 80;

export function presetNameProblem(name: string): string | null {
  const trimmed = name.trim();
  if (trimmed === '') {
    return 'A preset needs a name';
  }
  return trimmed.length > presetNameMaxLength ? `A preset name has at most ${presetNameMaxLength} characters` : null;
}

interface PresetNameDialogProps {
  open: boolean;
  existingNames: readonly string[];
  initialName: string;
  onClose(): void;
  onSubmit(name: string): Promise<Result<unknown>>;
}

export function PresetNameDialog({ open, existingNames, initialName, onClose, onSubmit }: PresetNameDialogProps) {
  const [name, setName] = useState(initialName);
  const [tried, setTried] = useState(false);
  const [pending, setPending] = useState(false);
  const [refusal, setRefusal] = useState<string | null>(null);
  const problem = presetNameProblem(name);
  const replaces = existingNames.includes(name.trim());

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setTried(true);
    if (problem !== null || pending) {
      return;
    }
    setPending(true);
    const result = await onSubmit(name.trim());
    setPending(false);
    if (result.ok) {
      onClose();
    } else {
      setRefusal(result.error.message);
    }
  }

  return (
    <Dialog open={open} onClose={pending ? undefined : onClose} fullWidth maxWidth="xs">
      <form noValidate onSubmit={(event) => void submit(event)}>
        <DialogTitle>Save preset</DialogTitle>
        <DialogContent>
          <TextField
            autoFocus
            fullWidth
            margin="dense"
            label="Name"
            value={name}
            onChange={(event) => {
              setName(event.target.value);
              setRefusal(null);
            }}
            error={tried && problem !== null}
            helperText={(tried ? problem : null) ?? (replaces ? `Replaces the preset “${name.trim()}”` : 'Saves the seed, variations and sampling parameters')}
            slotProps={{ htmlInput: { autoComplete: 'off', spellCheck: false } }}
          />
          {refusal !== null ? <Alert severity="error">{refusal}</Alert> : null}
        </DialogContent>
        <DialogActions>
          <Button onClick={onClose} disabled={pending}>
            Cancel
          </Button>
          <Button type="submit" variant="contained" disabled={pending}>
            Save
          </Button>
        </DialogActions>
      </form>
    </Dialog>
  );
}
