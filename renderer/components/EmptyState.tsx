import Box from '@mui/material/Box';
import Typography from '@mui/material/Typography';
import type { ReactNode } from 'react';

interface EmptyStateProps {
  title: string;
  hint?: string;
  action?: ReactNode;
  /** `h2` where the message stands for the whole area (the canvas), `p` inside a panel. */
  titleComponent?: 'h2' | 'p';
}

/** A centred message for an area with nothing in it yet. */
export function EmptyState({ title, hint, action, titleComponent = 'p' }: EmptyStateProps) {
  return (
    <Box
      sx={{
        flex: 1,
        display: 'flex',
        flexDirection: 'column',
        alignItems: 'center',
        justifyContent: 'center',
        gap: 1.5,
        p: 4,
        textAlign: 'center',
      }}
    >
      <Typography component={titleComponent} variant={titleComponent === 'h2' ? 'h6' : 'subtitle1'}>
        {title}
      </Typography>
      {hint ? (
        <Typography variant="body2" color="text.secondary" sx={{ maxWidth: 420 }}>
          {hint}
        </Typography>
      ) : null}
      {action}
    </Box>
  );
}
