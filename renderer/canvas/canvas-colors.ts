/** The few colours Konva draws with, taken from the MUI theme so both themes stay readable. */
import type { Theme } from '@mui/material/styles';

export interface CanvasColors {
  selection: string;
  lineage: string;
  placeholderFill: string;
  placeholderText: string;
  caption: string;
  errorText: string;
  band: string;
  bandFill: string;
  ghost: string;
}

export function canvasColors(theme: Theme): CanvasColors {
  const dark = theme.palette.mode === 'dark';
  return {
    selection: theme.palette.primary.main,
    // The secondary (orange) colour reads on both the light and the dark board and differs from selection.
    lineage: theme.palette.secondary.main,
    placeholderFill: dark ? '#2a2c33' : '#e3e5ec',
    placeholderText: theme.palette.text.secondary,
    caption: theme.palette.text.secondary,
    errorText: theme.palette.error.main,
    band: theme.palette.primary.main,
    bandFill: dark ? 'rgba(159, 168, 255, 0.12)' : 'rgba(57, 73, 171, 0.08)',
    ghost: theme.palette.text.disabled,
  };
}
