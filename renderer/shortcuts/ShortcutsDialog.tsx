/** The "Keyboard shortcuts" dialog (top bar button, or `?`): every shortcut, grouped by where it works. */
import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import Dialog from '@mui/material/Dialog';
import DialogActions from '@mui/material/DialogActions';
import DialogContent from '@mui/material/DialogContent';
import DialogTitle from '@mui/material/DialogTitle';
import Typography from '@mui/material/Typography';
import { formatCombo, shortcuts, type ShortcutScope } from './shortcut-list';
import { platformIsMac } from './useKeyboardShortcut';

const scopeOrder: ShortcutScope[] = ['Everywhere', 'Composer', 'Canvas', 'Queue', 'Gallery'];

interface ShortcutsDialogProps {
  open: boolean;
  onClose(): void;
}

export function ShortcutsDialog({ open, onClose }: ShortcutsDialogProps) {
  return (
    <Dialog open={open} onClose={onClose} fullWidth maxWidth="sm" aria-labelledby="shortcuts-title">
      <DialogTitle id="shortcuts-title">Keyboard shortcuts</DialogTitle>
      <DialogContent dividers sx={{ display: 'flex', flexDirection: 'column', gap: 2 }}>
        {scopeOrder.map((scope) => {
          const entries = shortcuts.filter((shortcut) => shortcut.scope === scope);
          if (entries.length === 0) {
            return null;
          }
          return (
            <Box key={scope}>
              <Typography component="h3" variant="overline" color="text.secondary">
                {scope}
              </Typography>
              <Box component="dl" sx={{ display: 'grid', gridTemplateColumns: '1fr auto', rowGap: 0.75, columnGap: 2, m: 0 }}>
                {entries.map((shortcut) => (
                  <Box key={shortcut.id} sx={{ display: 'contents' }}>
                    <Typography component="dt" variant="body2">
                      {shortcut.action}
                    </Typography>
                    <Box component="dd" sx={{ m: 0, display: 'flex', gap: 0.5, justifyContent: 'flex-end' }}>
                      {shortcut.combos.map((combo) => (
                        <Box
                          key={formatCombo(combo, platformIsMac)}
                          component="kbd"
                          sx={{
                            px: 0.75,
                            py: 0.125,
                            border: 1,
                            borderColor: 'divider',
                            borderBottomWidth: 2,
                            borderRadius: 1,
                            fontFamily: 'inherit',
                            fontSize: 13,
                            whiteSpace: 'nowrap',
                            bgcolor: 'action.hover',
                          }}
                        >
                          {formatCombo(combo, platformIsMac)}
                        </Box>
                      ))}
                    </Box>
                  </Box>
                ))}
              </Box>
            </Box>
          );
        })}
      </DialogContent>
      <DialogActions>
        <Button onClick={onClose} autoFocus>
          Close
        </Button>
      </DialogActions>
    </Dialog>
  );
}
