import AppBar from '@mui/material/AppBar';
import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import Divider from '@mui/material/Divider';
import IconButton from '@mui/material/IconButton';
import Toolbar from '@mui/material/Toolbar';
import Tooltip from '@mui/material/Tooltip';
import Typography from '@mui/material/Typography';
import type { EngineState } from '../../preload/contract';
import { pages, type PageRoute } from '../navigation/routes';
import { useThemeMode } from '../state/theme-mode';
import type { ConnectionStatus } from '../transport/studio-client';
import { MoonIcon, SunIcon } from './icons';
import { StatusChip } from './StatusChip';

interface TopBarProps {
  route: PageRoute;
  /** Shown on the Studio page, where the board is what you work on. */
  boardName: string | null;
  connection: ConnectionStatus;
  engine: EngineState | null;
  onHelp(): void;
}

export function TopBar({ route, boardName, connection, engine, onHelp }: TopBarProps) {
  const { mode, toggle } = useThemeMode();
  const toggleLabel = mode === 'dark' ? 'Use light theme' : 'Use dark theme';
  return (
    <AppBar position="static" sx={{ borderBottom: 1, borderColor: 'divider' }}>
      <Toolbar variant="dense" sx={{ gap: 2 }}>
        <Typography component="h1" variant="h6" noWrap sx={{ flexShrink: 0, fontWeight: 700 }}>
          MENTOR Studio
        </Typography>
        <Box component="nav" aria-label="Pages" sx={{ display: 'flex', gap: 0.5, flexShrink: 0 }}>
          {pages.map((page) => {
            const current = page.route === route;
            return (
              <Button
                key={page.route}
                href={page.hash}
                aria-current={current ? 'page' : undefined}
                color={current ? 'primary' : 'inherit'}
                variant={current ? 'contained' : 'text'}
                disableElevation
                size="small"
              >
                {page.label}
              </Button>
            );
          })}
        </Box>
        <Divider orientation="vertical" flexItem />
        <Typography
          component="p"
          variant="subtitle1"
          noWrap
          title={boardName ?? undefined}
          color={boardName ? 'text.primary' : 'text.secondary'}
          sx={{ flex: 1, minWidth: 0 }}
        >
          {route === 'studio' ? (boardName ?? 'No board selected') : ''}
        </Typography>
        <StatusChip connection={connection} engine={engine} />
        <Tooltip title="Keyboard shortcuts (?)">
          <IconButton onClick={onHelp} aria-label="Keyboard shortcuts">
            <Box component="span" aria-hidden sx={{ fontSize: 18, fontWeight: 700, width: 24, lineHeight: '24px', textAlign: 'center' }}>
              ?
            </Box>
          </IconButton>
        </Tooltip>
        <Tooltip title={toggleLabel}>
          <IconButton onClick={toggle} aria-label={toggleLabel} edge="end">
            {mode === 'dark' ? <SunIcon /> : <MoonIcon />}
          </IconButton>
        </Tooltip>
      </Toolbar>
    </AppBar>
  );
}
