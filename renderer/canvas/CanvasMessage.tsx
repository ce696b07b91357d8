/**
 * Words over the canvas when the drawing alone would not say enough: the board is loading, could not
 * be read, is empty, a drop is about to land, or a dragged item is over the prompt. Text only; it
 * lets pointer events through so the board under it keeps working.
 */
import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import CircularProgress from '@mui/material/CircularProgress';
import Typography from '@mui/material/Typography';
import type { BoardItem } from '../../preload/contract';

interface CanvasMessageProps {
  items: readonly BoardItem[] | null;
  loadFailed: boolean;
  onReload(): void;
  /** Files or a library image are being dragged over the board. */
  dropping: boolean;
  /** A canvas item is being dragged over the prompt composer. */
  overComposer: boolean;
}

const centred = {
  position: 'absolute',
  inset: 0,
  display: 'flex',
  flexDirection: 'column',
  alignItems: 'center',
  justifyContent: 'center',
  gap: 1.5,
  p: 4,
  textAlign: 'center',
  pointerEvents: 'none',
} as const;

export function CanvasMessage({ items, loadFailed, onReload, dropping, overComposer }: CanvasMessageProps) {
  if (dropping) {
    return (
      <Box sx={{ ...centred, border: 3, borderStyle: 'dashed', borderColor: 'primary.main', bgcolor: 'action.hover', zIndex: 4 }}>
        <Typography variant="h6" component="p">
          Drop to place the images here
        </Typography>
      </Box>
    );
  }
  if (overComposer) {
    return (
      <Box sx={{ position: 'absolute', left: 0, right: 0, bottom: 12, display: 'flex', justifyContent: 'center', pointerEvents: 'none', zIndex: 4 }}>
        <Typography role="status" sx={{ px: 2, py: 0.75, borderRadius: 1, bgcolor: 'primary.main', color: 'primary.contrastText', boxShadow: 3 }}>
          Release to use it as a reference in the prompt
        </Typography>
      </Box>
    );
  }
  if (items === null && loadFailed) {
    return (
      <Box sx={centred}>
        <Typography variant="h6" component="h2">
          The items of this board could not be read
        </Typography>
        <Typography variant="body2" color="text.secondary">
          The reason was shown at the bottom of the window.
        </Typography>
        <Button onClick={onReload} sx={{ pointerEvents: 'auto' }}>
          Try again
        </Button>
      </Box>
    );
  }
  if (items === null) {
    return (
      <Box sx={{ ...centred, flexDirection: 'row' }}>
        <CircularProgress size={24} aria-hidden />
        <Typography color="text.secondary">Loading the board…</Typography>
      </Box>
    );
  }
  if (items.length === 0) {
    return (
      <Box sx={centred}>
        <Typography variant="h6" component="h2">
          This board is empty
        </Typography>
        <Typography variant="body2" color="text.secondary" sx={{ maxWidth: 420 }}>
          Drop reference images here, paste one (Ctrl+V), use Add images, or drag a result in from the gallery.
        </Typography>
      </Box>
    );
  }
  return null;
}
