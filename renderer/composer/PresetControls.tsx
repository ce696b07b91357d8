/**
 * Presets of the parameters panel: the "Preset" box shows the preset the panel equals (choosing one
 * fills the panel), "Save preset" names the current panel, and the bin deletes the shown preset
 * after asking.
 */
import Alert from '@mui/material/Alert';
import Button from '@mui/material/Button';
import Dialog from '@mui/material/Dialog';
import DialogActions from '@mui/material/DialogActions';
import DialogContent from '@mui/material/DialogContent';
import DialogContentText from '@mui/material/DialogContentText';
import DialogTitle from '@mui/material/DialogTitle';
import IconButton from '@mui/material/IconButton';
import TextField from '@mui/material/TextField';
import Tooltip from '@mui/material/Tooltip';
import { useState } from 'react';
import type { Preset, PresetParams } from '../../preload/contract';
import { DeleteIcon } from './composer-icons';
import { PresetNameDialog } from './PresetNameDialog';
import type { PresetsModel } from './usePresets';

interface PresetControlsProps {
  presets: PresetsModel;
  /** The preset the panel equals, or null. */
  matching: string | null;
  /** The panel as preset parameters, or null while a field is not usable (then it cannot be saved). */
  current: PresetParams | null;
  onChoose(preset: Preset): void;
}

export function PresetControls({ presets, matching, current, onChoose }: PresetControlsProps) {
  const [naming, setNaming] = useState({ open: false, seq: 0 });
  const [deleting, setDeleting] = useState<string | null>(null);
  const [deleteError, setDeleteError] = useState<string | null>(null);
  const names = presets.presets.map((preset) => preset.name);

  return (
    <>
      <TextField
        select
        size="small"
        label="Preset"
        value={matching ?? ''}
        onChange={(event) => {
          const preset = presets.presets.find((candidate) => candidate.name === event.target.value);
          if (preset) {
            onChoose(preset);
          }
        }}
        slotProps={{ select: { native: true }, inputLabel: { shrink: true } }}
        sx={{ width: 140 }}
      >
        <option value="">{presets.presets.length === 0 ? 'None saved' : 'Custom'}</option>
        {names.map((name) => (
          <option key={name} value={name}>
            {name}
          </option>
        ))}
      </TextField>
      <Tooltip title={current === null ? 'Needs a model and parameters that can be used' : 'Save these parameters under a name'}>
        <span>
          <Button size="small" disabled={current === null} onClick={() => setNaming((state) => ({ open: true, seq: state.seq + 1 }))}>
            Save preset
          </Button>
        </span>
      </Tooltip>
      <Tooltip title={matching === null ? 'Choose a preset to delete it' : `Delete the preset “${matching}”`}>
        <span>
          <IconButton size="small" aria-label="Delete preset" disabled={matching === null} onClick={() => setDeleting(matching)}>
            <DeleteIcon fontSize="small" />
          </IconButton>
        </span>
      </Tooltip>
      <PresetNameDialog
        key={naming.seq}
        open={naming.open}
        existingNames={names}
        initialName={matching ?? ''}
        onClose={() => setNaming((state) => ({ ...state, open: false }))}
        onSubmit={async (name) => {
          if (current === null) {
            return { ok: false, error: { code: 'validation_failed', message: 'Fix the parameters first' } };
          }
          return presets.save(name, current);
        }}
      />
      <Dialog open={deleting !== null} onClose={() => setDeleting(null)} maxWidth="xs" fullWidth>
        <DialogTitle>Delete preset</DialogTitle>
        <DialogContent>
          <DialogContentText>Delete the preset “{deleting}”? The parameters in the composer stay as they are.</DialogContentText>
          {deleteError !== null ? <Alert severity="error">{deleteError}</Alert> : null}
        </DialogContent>
        <DialogActions>
          <Button onClick={() => setDeleting(null)}>Cancel</Button>
          <Button
            color="error"
            variant="contained"
            onClick={async () => {
              if (deleting === null) {
                return;
              }
              const result = await presets.remove(deleting);
              if (result.ok) {
                setDeleting(null);
                setDeleteError(null);
              } else {
                setDeleteError(result.error.message);
              }
            }}
          >
            Delete
          </Button>
        </DialogActions>
      </Dialog>
    </>
  );
}
