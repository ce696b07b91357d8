/** Shows reported errors one at a time, each until dismissed or for a while. */
import Alert from '@mui/material/Alert';
import Snackbar from '@mui/material/Snackbar';
import { useErrorQueue } from '../state/error-reporter';

const visibleMs = 10_000;

export function ErrorSnackbar() {
  const { current, dismiss } = useErrorQueue();
  if (!current) {
    return null;
  }
  const close = () => dismiss(current.id);
  return (
    <Snackbar
      key={current.id}
      open
      autoHideDuration={visibleMs}
      onClose={(_event, reason) => {
        if (reason !== 'clickaway') {
          close();
        }
      }}
      anchorOrigin={{ vertical: 'bottom', horizontal: 'center' }}
    >
      <Alert severity="error" variant="filled" onClose={close} sx={{ width: '100%', maxWidth: 640 }}>
        {current.message}
      </Alert>
    </Snackbar>
  );
}
