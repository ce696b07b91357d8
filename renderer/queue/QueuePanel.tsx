/**
 * The right panel of the Studio page: the batches that run and wait, in run order, with live
 * previews, cancel, pause/resume of the whole queue and reordering; then the recently finished ones,
 * whose images can be dragged onto the board. Esc cancels the running batch.
 */
import Alert from '@mui/material/Alert';
import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import Chip from '@mui/material/Chip';
import List from '@mui/material/List';
import Typography from '@mui/material/Typography';
import type { Model } from '../../preload/contract';
import { EmptyState } from '../components/EmptyState';
import { useKeyboardShortcut } from '../shortcuts/useKeyboardShortcut';
import { useStudioClient } from '../state/studio-client-context';
import { useQueue } from '../state/useQueue';
import { layout } from '../theme';
import { QueueBatchItem } from './QueueBatchItem';

interface QueuePanelProps {
  /** False while the library cannot be used: nothing is read. */
  enabled: boolean;
  models: Model[] | null;
}

const thumbnailPx = 128;
const defaultImageSize = 256;

function SectionTitle({ children }: { children: string }) {
  return (
    <Typography component="h3" variant="overline" color="text.secondary" sx={{ px: 1.5, pt: 1.5, display: 'block', lineHeight: 2 }}>
      {children}
    </Typography>
  );
}

export function QueuePanel({ enabled, models }: QueuePanelProps) {
  const client = useStudioClient();
  const queue = useQueue({ enabled });
  const active = queue.active ?? [];
  const queued = active.filter((batch) => batch.status === 'queued');
  const running = active.find((batch) => batch.status === 'running') ?? null;
  const imageSizeOf = (modelId: string | null) => models?.find((model) => model.id === modelId)?.imageSize ?? defaultImageSize;
  const thumbnailUrl = (sha256: string) => client.assetUrl(sha256, thumbnailPx);

  useKeyboardShortcut('cancel', () => (running ? queue.cancel(running.batchId) : undefined), running !== null);

  const item = (batch: (typeof active)[number]) => {
    const queuedIndex = queued.indexOf(batch);
    return (
      <QueueBatchItem
        key={batch.batchId}
        batch={batch}
        progress={queue.progress.get(batch.batchId)}
        queuedIndex={queuedIndex === -1 ? null : queuedIndex}
        queuedCount={queued.length}
        thumbnailUrl={thumbnailUrl}
        imageSize={imageSizeOf(batch.generations[0]?.modelId ?? null)}
        onCancel={() => queue.cancel(batch.batchId)}
        onResume={() => queue.resumeBatch(batch.batchId)}
        onMove={(index) => queue.move(batch.batchId, index)}
      />
    );
  };

  return (
    <Box
      component="section"
      role="region"
      aria-label="Queue"
      sx={{
        width: layout.sidePanelWidthPx,
        flexShrink: 0,
        display: 'flex',
        flexDirection: 'column',
        minHeight: 0,
        borderLeft: 1,
        borderColor: 'divider',
        bgcolor: 'background.paper',
      }}
    >
      <Box sx={{ display: 'flex', alignItems: 'center', gap: 1, px: 2, py: 1.25, borderBottom: 1, borderColor: 'divider' }}>
        <Typography component="h2" variant="subtitle1" sx={{ fontWeight: 600 }}>
          Queue
        </Typography>
        {queue.paused ? <Chip label="Paused" color="warning" size="small" /> : null}
        <Box sx={{ flex: 1 }} />
        <Button size="small" variant="outlined" onClick={queue.paused ? queue.resume : queue.pause} disabled={!enabled || queue.active === null}>
          {queue.paused ? 'Resume queue' : 'Pause queue'}
        </Button>
      </Box>
      {queue.paused ? (
        <Alert severity="warning" square sx={{ py: 0.25 }}>
          Paused: the running batch finishes, nothing new starts until you resume.
        </Alert>
      ) : null}
      <Box sx={{ flex: 1, minHeight: 0, overflowY: 'auto', display: 'flex', flexDirection: 'column' }}>
        {active.length > 0 ? (
          <List dense disablePadding aria-label="Running and queued">
            {active.map(item)}
          </List>
        ) : (
          <EmptyState
            title={queue.active === null ? 'Reading the queue…' : 'Queue is empty'}
            hint={queue.active === null ? undefined : 'Generations you start wait and run here.'}
          />
        )}
        {queue.finished.length > 0 ? (
          <>
            <SectionTitle>Finished</SectionTitle>
            <List dense disablePadding aria-label="Finished">
              {queue.finished.map(item)}
            </List>
          </>
        ) : null}
      </Box>
    </Box>
  );
}
