/**
 * The "Board canvas" region: the canvas of the selected board, or what to do first when there is
 * none (the library cannot be used, the board list is loading or could not be read, no board yet).
 */
import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import CircularProgress from '@mui/material/CircularProgress';
import Typography from '@mui/material/Typography';
import type { Board } from '../../preload/contract';
import { EmptyState } from '../components/EmptyState';
import { BoardCanvas } from './BoardCanvas';

export interface BoardCanvasRegionProps {
  /** False while the window has no connection to the studio. */
  connected: boolean;
  libraryUsable: boolean;
  boards: Board[] | null;
  /** The board list could not be read; offers to try again. */
  loadFailed: boolean;
  onReload(): void;
  selected: Board | null;
  canCreate: boolean;
  onNewBoard(): void;
}

function Content(props: BoardCanvasRegionProps) {
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
  // One canvas per board: switching boards starts from that board's own view, selection and history.
  return <BoardCanvas key={selected.id} board={selected} />;
}

export function BoardCanvasRegion(props: BoardCanvasRegionProps) {
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
