/** The left panel: every board, the selected one highlighted, with rename and delete per board. */
import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import Divider from '@mui/material/Divider';
import IconButton from '@mui/material/IconButton';
import List from '@mui/material/List';
import ListItem from '@mui/material/ListItem';
import ListItemButton from '@mui/material/ListItemButton';
import ListItemText from '@mui/material/ListItemText';
import Menu from '@mui/material/Menu';
import MenuItem from '@mui/material/MenuItem';
import Typography from '@mui/material/Typography';
import { useState } from 'react';
import type { Board, Result } from '../../preload/contract';
import { layout } from '../theme';
import { BoardNameDialog } from './BoardNameDialog';
import { DeleteBoardDialog } from './DeleteBoardDialog';
import { MoreIcon, PlusIcon } from './icons';

interface BoardsPanelProps {
  boards: Board[] | null;
  selectedId: string | null;
  canCreate: boolean;
  onSelect(id: string): void;
  onNewBoard(): void;
  onRename(id: string, name: string): Promise<Result<unknown>>;
  onDelete(id: string): Promise<Result<unknown>>;
}

/** The dialog a menu action opened; `seq` gives each opening fresh dialog state. */
type BoardAction = { kind: 'rename' | 'delete'; board: Board; seq: number };

export function BoardsPanel({ boards, selectedId, canCreate, onSelect, onNewBoard, onRename, onDelete }: BoardsPanelProps) {
  const [menu, setMenu] = useState<{ anchor: HTMLElement; board: Board } | null>(null);
  const [action, setAction] = useState<BoardAction | null>(null);
  const [actionOpen, setActionOpen] = useState(false);

  function startAction(kind: BoardAction['kind']) {
    if (!menu) {
      return;
    }
    setAction({ kind, board: menu.board, seq: (action?.seq ?? 0) + 1 });
    setActionOpen(true);
    setMenu(null);
  }

  return (
    <Box
      component="section"
      role="region"
      aria-label="Boards"
      sx={{
        width: layout.boardsPanelWidthPx,
        flexShrink: 0,
        display: 'flex',
        flexDirection: 'column',
        minHeight: 0,
        borderRight: 1,
        borderColor: 'divider',
        bgcolor: 'background.paper',
      }}
    >
      <Box sx={{ display: 'flex', alignItems: 'center', gap: 1, px: 2, py: 1.25 }}>
        <Typography component="h2" variant="subtitle1" sx={{ flex: 1, fontWeight: 600 }}>
          Boards
        </Typography>
        <Button size="small" variant="contained" startIcon={<PlusIcon />} onClick={onNewBoard} disabled={!canCreate}>
          New board
        </Button>
      </Box>
      <Divider />
      <Box sx={{ flex: 1, minHeight: 0, overflowY: 'auto' }}>
        {boards && boards.length > 0 ? (
          <List dense aria-label="Board list">
            {boards.map((board) => {
              const selected = board.id === selectedId;
              return (
                <ListItem
                  key={board.id}
                  aria-label={board.name}
                  disablePadding
                  secondaryAction={
                    <IconButton
                      edge="end"
                      size="small"
                      aria-label={`Actions for ${board.name}`}
                      aria-haspopup="menu"
                      onClick={(event) => setMenu({ anchor: event.currentTarget, board })}
                    >
                      <MoreIcon fontSize="small" />
                    </IconButton>
                  }
                >
                  <ListItemButton
                    selected={selected}
                    aria-current={selected ? 'true' : undefined}
                    onClick={() => onSelect(board.id)}
                  >
                    <ListItemText primary={board.name} slotProps={{ primary: { noWrap: true, title: board.name } }} />
                  </ListItemButton>
                </ListItem>
              );
            })}
          </List>
        ) : null}
      </Box>

      <Menu anchorEl={menu?.anchor ?? null} open={menu !== null} onClose={() => setMenu(null)}>
        <MenuItem onClick={() => startAction('rename')}>Rename…</MenuItem>
        <MenuItem onClick={() => startAction('delete')}>Delete…</MenuItem>
      </Menu>

      {action?.kind === 'rename' ? (
        <BoardNameDialog
          key={action.seq}
          open={actionOpen}
          title="Rename board"
          submitLabel="Rename"
          initialName={action.board.name}
          onClose={() => setActionOpen(false)}
          onSubmit={(name) => onRename(action.board.id, name)}
        />
      ) : null}
      {action?.kind === 'delete' ? (
        <DeleteBoardDialog
          key={action.seq}
          open={actionOpen}
          board={action.board}
          onClose={() => setActionOpen(false)}
          onConfirm={() => onDelete(action.board.id)}
        />
      ) : null}
    </Box>
  );
}
