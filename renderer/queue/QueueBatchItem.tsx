/** One batch in the queue panel: what it makes, how far it is, and what can be done with it. */
import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import CircularProgress from '@mui/material/CircularProgress';
import IconButton from '@mui/material/IconButton';
import LinearProgress from '@mui/material/LinearProgress';
import ListItem from '@mui/material/ListItem';
import SvgIcon, { type SvgIconProps } from '@mui/material/SvgIcon';
import Tooltip from '@mui/material/Tooltip';
import Typography from '@mui/material/Typography';
import type { DragEvent } from 'react';
import { libraryImageMime, type LibraryImageDrag } from '../state/drag-types';
import type { LiveProgress } from '../state/useQueue';
import { batchActions, progressPercent, progressText, statusText, type QueueBatch } from './queue-batches';

interface QueueBatchItemProps {
  batch: QueueBatch;
  progress: LiveProgress | undefined;
  /** Place among the queued batches (0 runs next), null when not queued. */
  queuedIndex: number | null;
  queuedCount: number;
  thumbnailUrl(sha256: string): string;
  /** Pixel size of the images the batch's model makes (for placing a dragged result). */
  imageSize: number;
  onCancel(): void;
  onResume(): void;
  onMove(index: number): void;
}

const statusColors = {
  queued: 'text.secondary',
  running: 'info.main',
  done: 'success.main',
  failed: 'error.main',
  cancelled: 'text.secondary',
  interrupted: 'warning.main',
} as const;

const previewSizePx = 72;

function ArrowIcon({ direction, ...props }: SvgIconProps & { direction: 'up' | 'down' }) {
  return (
    <SvgIcon {...props}>
      <path
        fill="none"
        stroke="currentColor"
        strokeWidth={2}
        strokeLinecap="round"
        strokeLinejoin="round"
        d={direction === 'up' ? 'M12 19V5M6 11l6-6 6 6' : 'M12 5v14M6 13l6 6 6-6'}
      />
    </SvgIcon>
  );
}

function LivePreview({ progress }: { progress: LiveProgress | undefined }) {
  return (
    <Box
      sx={{
        width: previewSizePx,
        height: previewSizePx,
        flexShrink: 0,
        borderRadius: 1,
        overflow: 'hidden',
        bgcolor: 'action.hover',
        display: 'flex',
        alignItems: 'center',
        justifyContent: 'center',
      }}
    >
      {progress?.previewUrl ? (
        <Box component="img" src={progress.previewUrl} alt="Live preview" sx={{ width: '100%', height: '100%', objectFit: 'cover', imageRendering: 'pixelated' }} />
      ) : (
        <CircularProgress size={20} aria-hidden />
      )}
    </Box>
  );
}

function ResultThumbnails({ batch, thumbnailUrl, imageSize }: Pick<QueueBatchItemProps, 'batch' | 'thumbnailUrl' | 'imageSize'>) {
  const results = batch.generations.filter((generation) => generation.resultSha256 !== null);
  if (results.length === 0) {
    return null;
  }
  const startDrag = (event: DragEvent<HTMLImageElement>, sha256: string, generationId: string) => {
    const payload: LibraryImageDrag = { assetSha256: sha256, generationId, width: imageSize, height: imageSize };
    event.dataTransfer.setData(libraryImageMime, JSON.stringify(payload));
    event.dataTransfer.effectAllowed = 'copy';
  };
  return (
    <Box sx={{ display: 'flex', flexWrap: 'wrap', gap: 0.5, mt: 0.75 }}>
      {results.map((generation) => (
        <Tooltip key={generation.id} title="Drag onto the board" describeChild>
          <Box
            component="img"
            src={thumbnailUrl(generation.resultSha256!)}
            alt={`Variation ${generation.variation + 1}`}
            draggable
            onDragStart={(event: DragEvent<HTMLImageElement>) => startDrag(event, generation.resultSha256!, generation.id)}
            sx={{ width: 56, height: 56, objectFit: 'cover', borderRadius: 0.5, cursor: 'grab', bgcolor: 'action.hover' }}
          />
        </Tooltip>
      ))}
    </Box>
  );
}

export function QueueBatchItem(props: QueueBatchItemProps) {
  const { batch, progress, queuedIndex, queuedCount, thumbnailUrl, imageSize, onCancel, onResume, onMove } = props;
  const actions = batchActions(batch.status);
  const count = batch.generations.length;
  const running = batch.status === 'running';
  return (
    <ListItem
      divider
      sx={{ display: 'block', px: 1.5, py: 1.25 }}
      aria-label={`${statusText(batch)}: ${batch.prompt}`}
    >
      <Box sx={{ display: 'flex', gap: 1.25, alignItems: 'flex-start' }}>
        {running ? <LivePreview progress={progress} /> : null}
        <Box sx={{ flex: 1, minWidth: 0 }}>
          <Typography
            variant="body2"
            title={batch.prompt}
            sx={{ overflowWrap: 'anywhere', display: '-webkit-box', WebkitLineClamp: 3, WebkitBoxOrient: 'vertical', overflow: 'hidden' }}
          >
            {batch.prompt}
          </Typography>
          <Typography variant="caption" component="p" sx={{ color: statusColors[batch.status], fontWeight: 600, overflowWrap: 'anywhere' }}>
            {statusText(batch)}
            <Box component="span" sx={{ color: 'text.secondary', fontWeight: 400 }}>
              {` · ${count === 1 ? '1 image' : `${count} images`} · seed ${batch.generations[0]?.seed ?? '?'}`}
            </Box>
          </Typography>
        </Box>
      </Box>
      {running ? (
        <Box sx={{ mt: 1 }}>
          <LinearProgress
            variant={progress ? 'determinate' : 'indeterminate'}
            value={progress ? progressPercent(progress) : undefined}
            aria-label="Generation progress"
          />
          <Typography variant="caption" component="p" color="text.secondary" sx={{ mt: 0.5 }}>
            {progress ? progressText(progress) : 'Starting…'}
          </Typography>
        </Box>
      ) : null}
      {batch.status === 'interrupted' && batch.error ? (
        <Typography variant="caption" component="p" color="text.secondary" sx={{ overflowWrap: 'anywhere' }}>
          {batch.error}
        </Typography>
      ) : null}
      <ResultThumbnails batch={batch} thumbnailUrl={thumbnailUrl} imageSize={imageSize} />
      {actions.cancel || actions.move || actions.resume ? (
        <Box sx={{ display: 'flex', alignItems: 'center', gap: 0.5, mt: 0.75 }}>
          {actions.move && queuedIndex !== null ? (
            <>
              <Tooltip title="Move up">
                <span>
                  <IconButton size="small" aria-label="Move up" disabled={queuedIndex === 0} onClick={() => onMove(queuedIndex - 1)}>
                    <ArrowIcon direction="up" fontSize="small" />
                  </IconButton>
                </span>
              </Tooltip>
              <Tooltip title="Move down">
                <span>
                  <IconButton
                    size="small"
                    aria-label="Move down"
                    disabled={queuedIndex >= queuedCount - 1}
                    onClick={() => onMove(queuedIndex + 1)}
                  >
                    <ArrowIcon direction="down" fontSize="small" />
                  </IconButton>
                </span>
              </Tooltip>
            </>
          ) : null}
          <Box sx={{ flex: 1 }} />
          {actions.resume ? (
            <Button size="small" onClick={onResume}>
              Resume
            </Button>
          ) : null}
          {actions.cancel ? (
            <Button size="small" color="error" onClick={onCancel}>
              Cancel
            </Button>
          ) : null}
        </Box>
      ) : null}
    </ListItem>
  );
}
