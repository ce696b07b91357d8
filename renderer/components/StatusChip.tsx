/** One chip for "can I generate?": the link to the studio first, then the engine. */
import Chip, { type ChipProps } from '@mui/material/Chip';
import Tooltip from '@mui/material/Tooltip';
import type { EngineState } from '../../preload/contract';
import type { ConnectionStatus } from '../transport/studio-client';

const engineLabels = {
  'not-loaded': 'not loaded',
  idle: 'ready',
  busy: 'working',
  unavailable: 'unavailable',
} as const satisfies Record<EngineState['state'], string>;

const engineColors = {
  'not-loaded': 'default',
  idle: 'success',
  busy: 'info',
  unavailable: 'warning',
} as const satisfies Record<EngineState['state'], ChipProps['color']>;

interface StatusChipProps {
  connection: ConnectionStatus;
  engine: EngineState | null;
}

export function describeStatus({ connection, engine }: StatusChipProps): {
  label: string;
  color: ChipProps['color'];
  detail: string;
} {
  switch (connection.kind) {
    case 'connecting':
      return connection.attempt === 0
        ? { label: 'Connecting…', color: 'default', detail: '' }
        : { label: 'Reconnecting…', color: 'warning', detail: 'The studio server does not answer.' };
    case 'reconnecting':
      return {
        label: 'Reconnecting…',
        color: 'warning',
        detail: `The connection to the studio dropped; trying again in ${Math.ceil(connection.delayMs / 1000)} s.`,
      };
    case 'unauthorized':
    case 'closed':
      return { label: 'Disconnected', color: 'error', detail: '' };
    case 'open':
      break;
  }
  if (!engine) {
    return { label: 'Engine: …', color: 'default', detail: 'Asking the studio for the engine state.' };
  }
  const device = engine.device ? ` · ${engine.device.toUpperCase()}` : '';
  return { label: `Engine: ${engineLabels[engine.state]}${device}`, color: engineColors[engine.state], detail: engine.detail };
}

export function StatusChip(props: StatusChipProps) {
  const { label, color, detail } = describeStatus(props);
  return (
    <Tooltip title={detail}>
      <Chip label={label} color={color} size="small" variant="outlined" sx={{ flexShrink: 0 }} />
    </Tooltip>
  );
}
