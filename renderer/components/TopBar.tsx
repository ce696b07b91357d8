import AppBar from '@mui/material/AppBar';
import Divider from '@mui/material/Divider';
import IconButton from '@mui/material/IconButton';
import Toolbar from '@mui/material/Toolbar';
import Tooltip from '@mui/material/Tooltip';
import Typography from '@mui/material/Typography';
import type { EngineState } from '../../preload/contract';
import { useThemeMode } from '../state/theme-mode';
import type { ConnectionStatus } from '../transport/studio-client';
import { MoonIcon, SunIcon } from './icons';
import { StatusChip } from './StatusChip';

interface TopBarProps {
  boardName: string | null;
  connection: ConnectionStatus;
  engine: EngineState | null;
}

export function TopBar({ boardName, connection, engine }: TopBarProps) {
  const { mode, toggle } = useThemeMode();
  const toggleLabel = mode === 'dark' ? 'Use light theme' : 'Use dark theme';
  return (
    <AppBar position="static" sx={{ borderBottom: 1, borderColor: 'divider' }}>
      <Toolbar variant="dense" sx={{ gap: 2 }}>
        <Typography component="h1" variant="h6" noWrap sx={{ flexShrink: 0, fontWeight: 700 }}>
          MENTOR Studio
        </Typography>
        <Divider orientation="vertical" flexItem />
        <Typography
          component="p"
          variant="subtitle1"
          noWrap
          title={boardName ?? undefined}
          color={boardName ? 'text.primary' : 'text.secondary'}
          sx={{ flex: 1, minWidth: 0 }}
        >
          {boardName ?? 'No board selected'}
        </Typography>
        <StatusChip connection={connection} engine={engine} />
        <Tooltip title={toggleLabel}>
          <IconButton onClick={toggle} aria-label={toggleLabel} edge="end">
            {mode === 'dark' ? <SunIcon /> : <MoonIcon />}
          </IconButton>
        </Tooltip>
      </Toolbar>
    </AppBar>
  );
}
