/**
 * The studio shell: top bar, boards on the left, the canvas area in the centre, queue and gallery
 * on the right. Later versions fill the centre and the right panel; the frame stays.
 */
import Box from '@mui/material/Box';
import { useState } from 'react';
import { BoardCanvasArea } from './components/BoardCanvasArea';
import { BoardNameDialog } from './components/BoardNameDialog';
import { BoardsPanel } from './components/BoardsPanel';
import { ErrorSnackbar } from './components/ErrorSnackbar';
import { LibraryAlert } from './components/LibraryAlert';
import { NoAccessPage } from './components/NoAccessPage';
import { SidePanel } from './components/SidePanel';
import { TopBar } from './components/TopBar';
import { useReportError } from './state/error-reporter';
import { useConnectionStatus } from './state/studio-client-context';
import { useBoards } from './state/useBoards';
import { useHealth } from './state/useHealth';

export function App() {
  const connection = useConnectionStatus();
  if (connection.kind === 'unauthorized') {
    return <NoAccessPage />;
  }
  return <Studio />;
}

function Studio() {
  const connection = useConnectionStatus();
  const report = useReportError();
  const { health, engine } = useHealth();
  const libraryUsable = health?.library.state === 'ok';
  const boardsModel = useBoards({ enabled: libraryUsable });
  const { boards, selected } = boardsModel;
  const canCreate = libraryUsable;
  // Each opening of the dialog gets a fresh one (empty field, no old error).
  const [newBoardDialog, setNewBoardDialog] = useState({ open: false, seq: 0 });

  const openNewBoard = () => setNewBoardDialog((current) => ({ open: true, seq: current.seq + 1 }));

  return (
    <Box sx={{ height: '100vh', display: 'flex', flexDirection: 'column', overflow: 'hidden' }}>
      <TopBar boardName={selected?.name ?? null} connection={connection} engine={engine} />
      {health ? <LibraryAlert library={health.library} /> : null}
      <Box sx={{ flex: 1, minHeight: 0, display: 'flex' }}>
        <BoardsPanel
          boards={boards}
          selectedId={selected?.id ?? null}
          canCreate={canCreate}
          onSelect={boardsModel.select}
          onNewBoard={openNewBoard}
          onRename={boardsModel.rename}
          onDelete={async (id) => {
            const result = await boardsModel.remove(id);
            if (!result.ok && result.error.code === 'not_found') {
              // Someone else deleted it first: nothing to confirm, just show the list as it is.
              report(result.error);
              return { ok: true, value: null };
            }
            return result;
          }}
        />
        <Box component="main" sx={{ flex: 1, minWidth: 0, display: 'flex' }}>
          <BoardCanvasArea
            connected={connection.kind === 'open'}
            libraryUsable={libraryUsable || health === null}
            boards={boards}
            loadFailed={boardsModel.loadFailed}
            onReload={boardsModel.reload}
            selected={selected}
            canCreate={canCreate}
            onNewBoard={openNewBoard}
          />
        </Box>
        <SidePanel />
      </Box>
      <BoardNameDialog
        key={newBoardDialog.seq}
        open={newBoardDialog.open}
        title="New board"
        submitLabel="Create"
        onClose={() => setNewBoardDialog((current) => ({ ...current, open: false }))}
        onSubmit={boardsModel.create}
      />
      <ErrorSnackbar />
    </Box>
  );
}
