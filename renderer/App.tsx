/**
 * The studio shell: the top bar with the three pages (hash routes, so a reload keeps the page) and
 * the page itself. Studio: boards left, the board canvas and prompt composer in the centre, the
 * queue right. Gallery and Models are full pages. `?` opens the shortcuts, 1/2/3 switch pages.
 */
import Box from '@mui/material/Box';
import { useState } from 'react';
import { BoardNameDialog } from './components/BoardNameDialog';
import { BoardsPanel } from './components/BoardsPanel';
import { ErrorSnackbar } from './components/ErrorSnackbar';
import { LibraryAlert } from './components/LibraryAlert';
import { NoAccessPage } from './components/NoAccessPage';
import { TopBar } from './components/TopBar';
import { GalleryPage } from './gallery/GalleryPage';
import { ModelsPage } from './models/ModelsPage';
import { useRoute } from './navigation/useRoute';
import { QueuePanel } from './queue/QueuePanel';
import { ShortcutsDialog } from './shortcuts/ShortcutsDialog';
import { useKeyboardShortcut } from './shortcuts/useKeyboardShortcut';
import { useReportError } from './state/error-reporter';
import { useConnectionStatus } from './state/studio-client-context';
import { useBoards, type BoardsModel } from './state/useBoards';
import { useHealth } from './state/useHealth';
import { useModels } from './state/useModels';
import { ComposerBridgeProvider } from './studio/composer-bridge';
import { StudioView } from './studio/StudioView';

export function App() {
  const connection = useConnectionStatus();
  if (connection.kind === 'unauthorized') {
    return <NoAccessPage />;
  }
  return (
    <ComposerBridgeProvider>
      <Studio />
    </ComposerBridgeProvider>
  );
}

function Studio() {
  const connection = useConnectionStatus();
  const { route, navigate } = useRoute();
  const { health, engine } = useHealth();
  const libraryUsable = health?.library.state === 'ok';
  const boardsModel = useBoards({ enabled: libraryUsable });
  const { boards, selected } = boardsModel;
  const [helpOpen, setHelpOpen] = useState(false);
  // Each opening of the dialog gets a fresh one (empty field, no old error).
  const [newBoardDialog, setNewBoardDialog] = useState({ open: false, seq: 0 });
  const openNewBoard = () => setNewBoardDialog((current) => ({ open: true, seq: current.seq + 1 }));

  useKeyboardShortcut('help', () => setHelpOpen(true));
  useKeyboardShortcut('page-studio', () => navigate('studio'));
  useKeyboardShortcut('page-gallery', () => navigate('gallery'));
  useKeyboardShortcut('page-models', () => navigate('models'));

  return (
    <Box sx={{ height: '100vh', display: 'flex', flexDirection: 'column', overflow: 'hidden' }}>
      <TopBar route={route} boardName={selected?.name ?? null} connection={connection} engine={engine} onHelp={() => setHelpOpen(true)} />
      {health ? <LibraryAlert library={health.library} /> : null}
      <Box sx={{ flex: 1, minHeight: 0, display: 'flex' }}>
        {route === 'studio' ? (
          <StudioPage
            boardsModel={boardsModel}
            libraryUsable={libraryUsable}
            libraryKnown={health !== null}
            connected={connection.kind === 'open'}
            onNewBoard={openNewBoard}
          />
        ) : null}
        {route === 'gallery' ? (
          <Box component="main" sx={{ flex: 1, minWidth: 0, display: 'flex' }}>
            <GalleryPage enabled={libraryUsable} boards={boards} currentBoard={selected} />
          </Box>
        ) : null}
        {route === 'models' ? (
          <Box component="main" sx={{ flex: 1, minWidth: 0, display: 'flex' }}>
            <ModelsPage />
          </Box>
        ) : null}
      </Box>
      <BoardNameDialog
        key={newBoardDialog.seq}
        open={newBoardDialog.open}
        title="New board"
        submitLabel="Create"
        onClose={() => setNewBoardDialog((current) => ({ ...current, open: false }))}
        onSubmit={boardsModel.create}
      />
      <ShortcutsDialog open={helpOpen} onClose={() => setHelpOpen(false)} />
      <ErrorSnackbar />
    </Box>
  );
}

interface StudioPageProps {
  boardsModel: BoardsModel;
  libraryUsable: boolean;
  /** False until the first health answer: the library's state is not known yet. */
  libraryKnown: boolean;
  connected: boolean;
  onNewBoard(): void;
}

function StudioPage({ boardsModel, libraryUsable, libraryKnown, connected, onNewBoard }: StudioPageProps) {
  const report = useReportError();
  const { models } = useModels();
  const { boards, selected } = boardsModel;
  return (
    <>
      <BoardsPanel
        boards={boards}
        selectedId={selected?.id ?? null}
        canCreate={libraryUsable}
        onSelect={boardsModel.select}
        onNewBoard={onNewBoard}
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
        <StudioView
          boards={boards}
          selected={selected}
          connected={connected}
          libraryUsable={libraryUsable || !libraryKnown}
          loadFailed={boardsModel.loadFailed}
          onReload={boardsModel.reload}
          canCreate={libraryUsable}
          onNewBoard={onNewBoard}
        />
      </Box>
      <QueuePanel enabled={libraryUsable} models={models} />
    </>
  );
}
