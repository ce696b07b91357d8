/** The canvas's notice (not an error): at the top of the board, read out politely by screen readers. */
import Alert from '@mui/material/Alert';
import type { CanvasNotice as Notice } from './useCanvasNotice';

export function CanvasNotice({ notice, onClose }: { notice: Notice | null; onClose(): void }) {
  if (notice === null) {
    return null;
  }
  return (
    <Alert
      key={notice.id}
      severity="info"
      role="status"
      onClose={onClose}
      sx={{ position: 'absolute', top: 12, left: '50%', transform: 'translateX(-50%)', width: 'max-content', maxWidth: 'min(560px, 90%)', zIndex: 3, boxShadow: 3 }}
    >
      {notice.text}
    </Alert>
  );
}
