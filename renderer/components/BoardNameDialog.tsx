/**
 * Asks for a board name (new board, rename). The name is checked with the contract's `BoardName`
 * as the user types, after the first try to submit; Enter submits. A refusal from the studio stays
 * in the dialog, next to the field when it names the field.
 */
import Alert from '@mui/material/Alert';
import Button from '@mui/material/Button';
import Dialog from '@mui/material/Dialog';
import DialogActions from '@mui/material/DialogActions';
import DialogContent from '@mui/material/DialogContent';
import DialogTitle from '@mui/material/DialogTitle';
import TextField from '@mui/material/TextField';
import { useId, useState, type FormEvent } from 'react';
import { BoardName, ValidationIssue, type Result, type StudioError } from '../../preload/contract';

interface BoardNameDialogProps {
  open: boolean;
  title: string;
  submitLabel: string;
  initialName?: string;
  onClose(): void;
  /** Resolves with the studio's answer; the dialog closes itself only on success. */
  onSubmit(name: string): Promise<Result<unknown>>;
}

/** The message of the studio's `validation_failed` issue for `name`, if that is what it refused. */
function nameIssue(error: StudioError): string | null {
  if (error.code !== 'validation_failed') {
    return null;
  }
  const issues = (error.detail as { issues?: unknown } | undefined)?.issues;
  if (!Array.isArray(issues)) {
    return null;
  }
  for (const issue of issues) {
    const parsed = ValidationIssue.safeParse(issue);
    if (parsed.success && parsed.data.path === 'name') {
      return parsed.data.message;
    }
  }
  return null;
}

export function BoardNameDialog({ open, title, submitLabel, initialName = '', onClose, onSubmit }: BoardNameDialogProps) {
  const fieldId = useId();
  const [name, setName] = useState(initialName);
  const [triedToSubmit, setTriedToSubmit] = useState(false);
  const [pending, setPending] = useState(false);
  const [refusal, setRefusal] = useState<{ field: string | null; other: string | null }>({ field: null, other: null });

  const parsed = BoardName.safeParse(name);
  const localError = parsed.success ? null : (parsed.error.issues[0]?.message ?? 'This name cannot be used');
  const fieldError = refusal.field ?? (triedToSubmit ? localError : null);

  async function submit(event: FormEvent<HTMLFormElement>) {
    // Always: the CSP has form-action 'none', and the page must not navigate anyway.
    event.preventDefault();
    if (pending) {
      return;
    }
    setTriedToSubmit(true);
    if (!parsed.success) {
      return;
    }
    setPending(true);
    const result = await onSubmit(parsed.data);
    setPending(false);
    if (result.ok) {
      onClose();
      return;
    }
    const field = nameIssue(result.error);
    setRefusal({ field, other: field ? null : result.error.message });
  }

  return (
    <Dialog open={open} onClose={pending ? undefined : onClose} fullWidth maxWidth="xs">
      <form noValidate onSubmit={(event) => void submit(event)}>
        <DialogTitle>{title}</DialogTitle>
        <DialogContent>
          <TextField
            id={fieldId}
            autoFocus
            fullWidth
            margin="dense"
            label="Name"
            value={name}
            onChange={(event) => {
              setName(event.target.value);
              setRefusal({ field: null, other: null });
            }}
            error={fieldError !== null}
            // A blank helper keeps the dialog from jumping when a message appears.
            helperText={fieldError ?? ' '}
            slotProps={{ htmlInput: { autoComplete: 'off', spellCheck: false } }}
          />
          {refusal.other ? <Alert severity="error">{refusal.other}</Alert> : null}
        </DialogContent>
        <DialogActions>
          <Button onClick={onClose} disabled={pending}>
            Cancel
          </Button>
          <Button type="submit" variant="contained" disabled={pending}>
            {submitLabel}
          </Button>
        </DialogActions>
      </form>
    </Dialog>
  );
}
