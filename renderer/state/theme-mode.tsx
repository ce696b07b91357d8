/**
 * Light or dark: follows the system until the user picks one with the top bar's toggle, then
 * remembers that pick in localStorage.
 */
import CssBaseline from '@mui/material/CssBaseline';
import { ThemeProvider, type PaletteMode } from '@mui/material/styles';
import useMediaQuery from '@mui/material/useMediaQuery';
import { createContext, use, useCallback, useMemo, useState, type ReactNode } from 'react';
import { createStudioTheme } from '../theme';
import { readLocal, storageKeys, writeLocal } from './local-storage';

interface ThemeMode {
  mode: PaletteMode;
  toggle(): void;
}

const ThemeModeContext = createContext<ThemeMode | null>(null);

function readStoredMode(): PaletteMode | null {
  const stored = readLocal(storageKeys.theme);
  return stored === 'light' || stored === 'dark' ? stored : null;
}

export function ThemeModeProvider({ children }: { children: ReactNode }) {
  const prefersDark = useMediaQuery('(prefers-color-scheme: dark)', { noSsr: true });
  const [chosen, setChosen] = useState<PaletteMode | null>(readStoredMode);
  const mode: PaletteMode = chosen ?? (prefersDark ? 'dark' : 'light');

  const toggle = useCallback(() => {
    const next: PaletteMode = mode === 'dark' ? 'light' : 'dark';
    setChosen(next);
    writeLocal(storageKeys.theme, next);
  }, [mode]);

  const theme = useMemo(() => createStudioTheme(mode), [mode]);
  const value = useMemo(() => ({ mode, toggle }), [mode, toggle]);

  return (
    <ThemeModeContext value={value}>
      <ThemeProvider theme={theme}>
        <CssBaseline enableColorScheme />
        {children}
      </ThemeProvider>
    </ThemeModeContext>
  );
}

export function useThemeMode(): ThemeMode {
  const value = use(ThemeModeContext);
  if (!value) {
    throw new Error('useThemeMode needs a ThemeModeProvider');
  }
  return value;
}
