/**
 * The centre of the studio. The canvas itself comes in a later version; until then this area
 * says truthfully what there is: no board, an empty board, or a board whose items it cannot show yet.
 */
import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import CircularProgress from '@mui/material/CircularProgress';
import Typography from '@mui/material/Typography';
import type { Board } from '../../preload/contract';
import { EmptyState } from './EmptyState';

interface BoardCanvasAreaProps {
  /** False while the window has no connection to the studio. */
  connected: boolean;
  libraryUsable: boolean;
  boards: Board[] | null;
  /** The list could not be read; offers to try again. */
  loadFailed: boolean;
  onReload(): void;
  selected: Board | null;
  canCreate: boolean;
  onNewBoard(): void;
}

function Content(props: BoardCanvasAreaProps) {
  const { connected, libraryUsable, boards, loadFailed, onReload, selected, canCreate, onNewBoard } = props;
  if (!libraryUsable && boards === null) {
    return <EmptyState titleComponent="h2" title="The library cannot be used" hint="See the message above." />;
  }
  if (boards === null && loadFailed) {
    return (
      <EmptyState
        titleComponent="h2"
        title="The board list could not be read"
        hint="The reason was shown at the bottom of the window."
        action={<Button onClick={onReload}>Try again</Button>}
      />
    );
  }
  if (boards === null) {
    return (
      <Box sx={{ flex: 1, display: 'flex', alignItems: 'center', justifyContent: 'center', gap: 2 }}>
        <CircularProgress size={24} aria-hidden />
        <Typography color="text.secondary">{connected ? 'Loading boards…' : 'Connecting to the studio…'}</Typography>
      </Box>
    );
  }
  if (boards.length === 0 || !selected) {
    return (
      <EmptyState
        titleComponent="h2"
        title="No boards yet"
        hint="A board holds the reference images of one subject and what you generate from them."
        action={
          <Button variant="contained" onClick={onNewBoard} disabled={!canCreate}>
            Create your first board
          </Button>
        }
      />
    );
  }
  if (selected.itemCount === 0) {
    return (
      <EmptyState
        titleComponent="h2"
        title="This board is empty"
        hint="Drop reference images here to start (coming with the canvas)"
      />
    );
  }
  const items = selected.itemCount === 1 ? '1 item' : `${selected.itemCount} items`;
  return (
    <EmptyState
      titleComponent="h2"
      title={`This board holds ${items}`}
      hint="This version of the studio cannot show them yet; the canvas comes in a later version."
    />
  );
}

export function BoardCanvasArea(props: BoardCanvasAreaProps) {
  return (
    <Box
      component="section"
      role="region"
      aria-label="Board canvas"
      sx={{ flex: 1, minWidth: 0, minHeight: 0, display: 'flex', flexDirection: 'column', bgcolor: 'background.default' }}
    >
      <Content {...props} />
    </Box>
  );
}
