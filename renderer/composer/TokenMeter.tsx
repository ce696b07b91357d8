/**
 * "41 of 120 tokens": a meter (role=meter, named "Prompt tokens") of how much of the model's prefix
 * the prompt takes, the images' share and the text's share drawn apart; warning colour near the
 * budget, error colour over it. While a new count is on its way the old one stays, dimmed.
 */
import Box from '@mui/material/Box';
import Typography from '@mui/material/Typography';
import type { MeasureState } from './usePromptMeasure';
import { meterView } from './token-meter';

export function TokenMeter({ state }: { state: MeasureState }) {
  const { measure, current, error } = state;
  if (error !== null) {
    return (
      <Typography variant="caption" color="text.secondary" sx={{ maxWidth: 320 }} noWrap title={error.message}>
        Tokens not counted: {error.message}
      </Typography>
    );
  }
  if (measure === null) {
    return (
      <Box role="meter" aria-label="Prompt tokens" aria-valuemin={0} aria-valuemax={1} aria-valuenow={0} aria-valuetext="Counting tokens…">
        <Typography variant="caption" color="text.secondary">
          Counting tokens…
        </Typography>
      </Box>
    );
  }
  const view = meterView(measure);
  const colour = view.level === 'ok' ? 'primary' : view.level;
  return (
    <Box
      role="meter"
      aria-label="Prompt tokens"
      aria-valuemin={0}
      aria-valuemax={measure.prefixLength}
      aria-valuenow={Math.min(measure.totalTokens, measure.prefixLength)}
      aria-valuetext={view.valueText}
      title={view.breakdown}
      sx={{ display: 'flex', alignItems: 'center', gap: 1, opacity: current ? 1 : 0.6, minWidth: 0 }}
    >
      <Box sx={{ width: 120, height: 8, borderRadius: 4, bgcolor: 'action.hover', overflow: 'hidden', display: 'flex', flexShrink: 0 }}>
        <Box sx={{ width: `${view.imageShare * 100}%`, bgcolor: `${colour}.dark` }} />
        <Box sx={{ width: `${view.textShare * 100}%`, bgcolor: `${colour}.light` }} />
      </Box>
      <Typography variant="caption" sx={{ color: view.level === 'ok' ? 'text.primary' : `${colour}.main`, fontWeight: view.level === 'ok' ? 400 : 700, whiteSpace: 'nowrap' }}>
        {view.valueText}
      </Typography>
      <Typography variant="caption" color="text.secondary" noWrap sx={{ display: { xs: 'none', lg: 'block' } }}>
        {view.breakdown}
      </Typography>
    </Box>
  );
}
