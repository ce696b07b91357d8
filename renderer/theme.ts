/** The studio's light and dark themes. Sizes shared by the layout live here too. */
import { createTheme, type PaletteMode, type Theme } from '@mui/material/styles';

export const layout = {
  /** Left (boards) and right (queue, gallery) panels; the canvas takes the rest. */
  boardsPanelWidthPx: 280,
  sidePanelWidthPx: 320,
} as const;

// No web font is shipped (the CSP allows only 'self' and nothing is downloaded), so use the system's.
const systemFontStack = [
  'system-ui',
  '-apple-system',
  '"Segoe UI"',
  'Roboto',
  '"Helvetica Neue"',
  'Arial',
  'sans-serif',
].join(',');

export function createStudioTheme(mode: PaletteMode): Theme {
  const dark = mode === 'dark';
  return createTheme({
    palette: {
      mode,
      primary: { main: dark ? '#9fa8ff' : '#3949ab' },
      secondary: { main: dark ? '#ffb86b' : '#c25e00' },
      background: dark ? { default: '#121316', paper: '#1a1b20' } : { default: '#f6f7fa', paper: '#ffffff' },
    },
    shape: { borderRadius: 8 },
    typography: {
      fontFamily: systemFontStack,
      button: { textTransform: 'none', fontWeight: 600 },
    },
    components: {
      MuiAppBar: { defaultProps: { elevation: 0, color: 'inherit' } },
      MuiTooltip: { defaultProps: { arrow: true } },
    },
  });
}
