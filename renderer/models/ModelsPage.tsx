/** The Models page: import a bundle folder, see what is installed, remove what is not needed. */
import Box from '@mui/material/Box';
import Paper from '@mui/material/Paper';
import Typography from '@mui/material/Typography';
import { useState } from 'react';
import type { Model } from '../../preload/contract';
import { EmptyState } from '../components/EmptyState';
import { useStudioClient } from '../state/studio-client-context';
import { useModels } from '../state/useModels';
import { ImportBundleForm } from './ImportBundleForm';
import { ModelsTable } from './ModelsTable';
import { RemoveModelDialog } from './RemoveModelDialog';

export function ModelsPage() {
  const client = useStudioClient();
  const { models, reload } = useModels();
  const [removing, setRemoving] = useState<Model | null>(null);
  return (
    <Box component="section" role="region" aria-label="Models" sx={{ flex: 1, minWidth: 0, overflowY: 'auto' }}>
      <Box sx={{ maxWidth: 1400, mx: 'auto', p: 3, display: 'flex', flexDirection: 'column', gap: 3 }}>
        <Typography component="h2" variant="h5">
          Models
        </Typography>
        <Paper variant="outlined" sx={{ p: 2.5, display: 'flex', flexDirection: 'column', gap: 1.5 }}>
          <Typography component="h3" variant="subtitle1" sx={{ fontWeight: 600 }}>
            Import a bundle
          </Typography>
          <ImportBundleForm onImported={reload} />
        </Paper>
        <Box sx={{ display: 'flex', flexDirection: 'column', gap: 1.5 }}>
          <Typography component="h3" variant="subtitle1" sx={{ fontWeight: 600 }}>
            Installed
          </Typography>
          {models === null ? (
            <Typography color="text.secondary">Reading the installed models…</Typography>
          ) : models.length === 0 ? (
            <Paper variant="outlined">
              <EmptyState title="No models installed" hint="Import a bundle folder above; the studio generates with the one you pick in the composer." />
            </Paper>
          ) : (
            <ModelsTable models={models} onRemove={setRemoving} />
          )}
        </Box>
      </Box>
      <RemoveModelDialog
        key={removing?.id ?? 'none'}
        model={removing}
        onClose={() => setRemoving(null)}
        onConfirm={async (model) => {
          const result = await client.call('models:remove', { id: model.id });
          if (result.ok) {
            reload();
          }
          return result;
        }}
      />
    </Box>
  );
}
