/** Shown across the top when the library database cannot be used; creation is off until then. */
import Alert from '@mui/material/Alert';
import AlertTitle from '@mui/material/AlertTitle';
import Box from '@mui/material/Box';
import type { LibraryState } from '../../preload/contract';

const titles = {
  damaged: 'The library database is damaged',
  'too-new': 'The library was written by a newer MENTOR Studio',
  unavailable: 'The library database cannot be opened',
} as const satisfies Record<Exclude<LibraryState['state'], 'ok'>, string>;

export function LibraryAlert({ library }: { library: LibraryState }) {
  if (library.state === 'ok') {
    return null;
  }
  return (
    <Alert severity="error" square sx={{ borderBottom: 1, borderColor: 'divider' }}>
      <AlertTitle>{titles[library.state]}</AlertTitle>
      {library.message ?? 'The studio cannot read or write its library.'}
      <Box sx={{ mt: 0.5 }}>
        Database:{' '}
        <Box component="code" sx={{ fontFamily: 'monospace', wordBreak: 'break-all' }}>
          {library.databasePath}
        </Box>
      </Box>
      <Box sx={{ mt: 0.5 }}>New boards cannot be created until this is fixed.</Box>
    </Alert>
  );
}
