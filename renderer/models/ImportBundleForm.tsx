/**
 * "Bundle folder" + Import: the studio checks the bundle (manifest, every file's hash, the graphs'
 * inputs) and adds it. Hashing a large bundle takes a while, so its progress shows as a bar; a
 * refusal (bundle_invalid, not found, …) stays here under the field, with the path kept for a retry.
 * In the desktop app, Browse… opens the system's folder chooser and imports the folder chosen.
 */
import Alert from '@mui/material/Alert';
import AlertTitle from '@mui/material/AlertTitle';
import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import LinearProgress from '@mui/material/LinearProgress';
import TextField from '@mui/material/TextField';
import Typography from '@mui/material/Typography';
import { useEffect, useState, type FormEvent } from 'react';
import type { ErrorCode, Model } from '../../preload/contract';
import { useStudioClient } from '../state/studio-client-context';
import { importPercent, importProgressText, type ImportProgress } from './model-format';

const refusalTitles: Partial<Record<ErrorCode, string>> = {
  bundle_invalid: 'This folder is not a usable model bundle',
  not_found: 'Nothing found there',
  validation_failed: 'That path cannot be used',
  unreachable: 'The studio did not answer',
  unsupported: 'Not available here',
};

interface ImportBundleFormProps {
  onImported(model: Model): void;
}

export function ImportBundleForm({ onImported }: ImportBundleFormProps) {
  const client = useStudioClient();
  const [path, setPath] = useState('');
  const [pending, setPending] = useState<string | null>(null);
  const [progress, setProgress] = useState<ImportProgress | null>(null);
  const [refusal, setRefusal] = useState<{ code: ErrorCode; message: string } | null>(null);

  useEffect(
    () =>
      client.on('models:import-progress', (event) => {
        // Shown while this form waits; the event's path is the resolved folder, which may be spelled
        // differently from what was typed, so it is not compared.
        if (pending !== null) {
          setProgress({ file: event.file, doneBytes: event.doneBytes, totalBytes: event.totalBytes });
        }
      }),
    [client, pending],
  );

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const folder = path.trim();
    if (pending !== null) {
      return;
    }
    if (folder === '') {
      setRefusal({ code: 'validation_failed', message: 'Type the path of a bundle folder (the one holding manifest.json).' });
      return;
    }
    await importFolder(folder);
  }

  // The desktop app has the system's folder chooser; a chosen folder is imported at once.
  async function browse() {
    if (pending !== null) {
      return;
    }
    const result = await client.call('dialogs:pickFolder', { title: 'Choose a MENTOR bundle folder' });
    if (!result.ok) {
      setRefusal({ code: result.error.code, message: result.error.message });
    } else if (result.value.path !== null) {
      setPath(result.value.path);
      await importFolder(result.value.path);
    }
  }

  async function importFolder(folder: string) {
    setPending(folder);
    setProgress(null);
    setRefusal(null);
    const result = await client.call('models:import', { path: folder });
    setPending(null);
    setProgress(null);
    if (result.ok) {
      setPath('');
      onImported(result.value);
    } else {
      setRefusal({ code: result.error.code, message: result.error.message });
    }
  }

  const percent = progress ? importPercent(progress) : null;
  return (
    <Box component="form" noValidate onSubmit={(event: FormEvent<HTMLFormElement>) => void submit(event)} sx={{ display: 'flex', flexDirection: 'column', gap: 1.5 }}>
      <Box sx={{ display: 'flex', gap: 1.5, alignItems: 'flex-start' }}>
        <TextField
          label="Bundle folder"
          placeholder="/path/to/bundles/mentor"
          value={path}
          onChange={(event) => {
            setPath(event.target.value);
            setRefusal(null);
          }}
          size="small"
          fullWidth
          disabled={pending !== null}
          helperText="A folder written by the exporter (python -m mentor_models.export …): manifest.json and the ONNX graphs."
          slotProps={{ htmlInput: { autoComplete: 'off', spellCheck: false } }}
        />
        {client.transport === 'electron' ? (
          <Button variant="outlined" disabled={pending !== null} onClick={() => void browse()} sx={{ flexShrink: 0, mt: 0.25 }}>
            Browse…
          </Button>
        ) : null}
        <Button type="submit" variant="contained" disabled={pending !== null} sx={{ flexShrink: 0, mt: 0.25 }}>
          Import
        </Button>
      </Box>
      {pending !== null ? (
        <Box>
          <LinearProgress
            aria-label="Import progress"
            variant={percent === null ? 'indeterminate' : 'determinate'}
            value={percent ?? undefined}
          />
          <Typography variant="caption" color="text.secondary" component="p" sx={{ mt: 0.5, overflowWrap: 'anywhere' }}>
            {progress ? importProgressText(progress) : `Opening ${pending}…`}
          </Typography>
        </Box>
      ) : null}
      {refusal ? (
        <Alert severity="error" onClose={() => setRefusal(null)}>
          <AlertTitle>{refusalTitles[refusal.code] ?? 'The bundle was not imported'}</AlertTitle>
          <Box sx={{ overflowWrap: 'anywhere' }}>{refusal.message}</Box>
        </Alert>
      ) : null}
    </Box>
  );
}
