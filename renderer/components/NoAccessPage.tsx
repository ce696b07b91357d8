/** The whole page when the browser transport has no token, or the server refused it. */
import Box from '@mui/material/Box';
import Paper from '@mui/material/Paper';
import Typography from '@mui/material/Typography';

export function NoAccessPage() {
  return (
    <Box sx={{ minHeight: '100vh', display: 'flex', alignItems: 'center', justifyContent: 'center', p: 3 }}>
      <Paper variant="outlined" sx={{ p: 4, maxWidth: 560 }}>
        <Typography component="h1" variant="h5" gutterBottom>
          MENTOR Studio
        </Typography>
        <Typography>
          This studio link has no valid access token. Open the link that <code>npm run serve</code> printed.
        </Typography>
      </Paper>
    </Box>
  );
}
