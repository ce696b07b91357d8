/**
 * Two images side by side at the same zoom, or on top of each other with a slider that uncovers
 * one over the other; under them, their prompts and parameters with the differences marked.
 */
import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import Dialog from '@mui/material/Dialog';
import DialogActions from '@mui/material/DialogActions';
import DialogContent from '@mui/material/DialogContent';
import DialogTitle from '@mui/material/DialogTitle';
import Slider from '@mui/material/Slider';
import Table from '@mui/material/Table';
import TableBody from '@mui/material/TableBody';
import TableCell from '@mui/material/TableCell';
import TableHead from '@mui/material/TableHead';
import TableRow from '@mui/material/TableRow';
import ToggleButton from '@mui/material/ToggleButton';
import ToggleButtonGroup from '@mui/material/ToggleButtonGroup';
import Typography from '@mui/material/Typography';
import { useState } from 'react';
import type { Generation } from '../../preload/contract';
import { compareFacts, type FactNames } from './generation-facts';

interface CompareDialogProps {
  open: boolean;
  pair: [Generation, Generation] | null;
  names: FactNames;
  imageUrl(sha256: string): string;
  onClose(): void;
}

type Mode = 'side-by-side' | 'slider';

function Picture({ generation, url, sizePx, label }: { generation: Generation; url: string; sizePx: number; label: string }) {
  return (
    <Box
      component="img"
      src={url}
      alt={`${label}: ${generation.prompt}`}
      draggable={false}
      sx={{ width: sizePx, height: sizePx, objectFit: 'contain', imageRendering: 'pixelated', display: 'block', flexShrink: 0 }}
    />
  );
}

export function CompareDialog({ open, pair, names, imageUrl, onClose }: CompareDialogProps) {
  const [mode, setMode] = useState<Mode>('side-by-side');
  const [sizePx, setSizePx] = useState(384);
  const [split, setSplit] = useState(50);
  if (!pair) {
    return null;
  }
  const [left, right] = pair;
  const leftUrl = left.resultSha256 ? imageUrl(left.resultSha256) : '';
  const rightUrl = right.resultSha256 ? imageUrl(right.resultSha256) : '';
  const facts = compareFacts(left, right, names);
  return (
    <Dialog open={open} onClose={onClose} maxWidth="xl" fullWidth aria-labelledby="compare-title">
      <DialogTitle id="compare-title">Compare</DialogTitle>
      <DialogContent dividers sx={{ display: 'flex', flexDirection: 'column', gap: 2 }}>
        <Box sx={{ display: 'flex', flexWrap: 'wrap', alignItems: 'center', gap: 3 }}>
          <ToggleButtonGroup size="small" exclusive value={mode} onChange={(_event, value: Mode | null) => value && setMode(value)} aria-label="Compare mode">
            <ToggleButton value="side-by-side">Side by side</ToggleButton>
            <ToggleButton value="slider">Slider</ToggleButton>
          </ToggleButtonGroup>
          <Box sx={{ display: 'flex', alignItems: 'center', gap: 1.5, minWidth: 240 }}>
            <Typography variant="body2" id="compare-zoom-label">
              Zoom
            </Typography>
            <Slider
              size="small"
              min={128}
              max={1024}
              step={32}
              value={sizePx}
              onChange={(_event, value) => setSizePx(value as number)}
              valueLabelDisplay="auto"
              valueLabelFormat={(value) => `${value} px`}
              aria-labelledby="compare-zoom-label"
            />
          </Box>
        </Box>
        <Box sx={{ overflow: 'auto', maxHeight: '60vh', flexShrink: 0 }}>
          {mode === 'side-by-side' ? (
            <Box sx={{ display: 'flex', gap: 2, width: 'max-content' }}>
              <Picture generation={left} url={leftUrl} sizePx={sizePx} label="Left" />
              <Picture generation={right} url={rightUrl} sizePx={sizePx} label="Right" />
            </Box>
          ) : (
            <Box>
              <Box sx={{ position: 'relative', width: sizePx, height: sizePx }}>
                <Picture generation={right} url={rightUrl} sizePx={sizePx} label="Right" />
                <Box sx={{ position: 'absolute', inset: 0, clipPath: `inset(0 ${100 - split}% 0 0)` }}>
                  <Picture generation={left} url={leftUrl} sizePx={sizePx} label="Left" />
                </Box>
                <Box sx={{ position: 'absolute', top: 0, bottom: 0, left: `${split}%`, width: 2, bgcolor: 'secondary.main', pointerEvents: 'none' }} />
              </Box>
              <Slider
                value={split}
                onChange={(_event, value) => setSplit(value as number)}
                sx={{ width: sizePx }}
                aria-label="Slider position"
              />
            </Box>
          )}
        </Box>
        <Table size="small" aria-label="Differences">
          <TableHead>
            <TableRow>
              <TableCell />
              <TableCell>Left</TableCell>
              <TableCell>Right</TableCell>
            </TableRow>
          </TableHead>
          <TableBody>
            {facts.map((fact) => (
              <TableRow key={fact.label} sx={fact.differs ? { bgcolor: 'action.selected' } : undefined}>
                <TableCell component="th" scope="row" sx={{ fontWeight: fact.differs ? 700 : 400, whiteSpace: 'nowrap' }}>
                  {fact.label}
                  {fact.differs ? ' ≠' : ''}
                </TableCell>
                <TableCell sx={{ overflowWrap: 'anywhere' }}>{fact.left}</TableCell>
                <TableCell sx={{ overflowWrap: 'anywhere' }}>{fact.right}</TableCell>
              </TableRow>
            ))}
          </TableBody>
        </Table>
      </DialogContent>
      <DialogActions>
        <Button onClick={onClose}>Close</Button>
      </DialogActions>
    </Dialog>
  );
}
