/** The installed model bundles, one row each, with Remove. */
import Button from '@mui/material/Button';
import Table from '@mui/material/Table';
import TableBody from '@mui/material/TableBody';
import TableCell from '@mui/material/TableCell';
import TableContainer from '@mui/material/TableContainer';
import TableHead from '@mui/material/TableHead';
import TableRow from '@mui/material/TableRow';
import Typography from '@mui/material/Typography';
import type { Model } from '../../preload/contract';
import { formatBytes } from './model-format';

interface ModelsTableProps {
  models: Model[];
  onRemove(model: Model): void;
}

const columns = ['Name', 'Size', 'Precision', 'Source', 'Image size', 'Installed', 'Folder', ''] as const;

export function ModelsTable({ models, onRemove }: ModelsTableProps) {
  return (
    <TableContainer sx={{ border: 1, borderColor: 'divider', borderRadius: 1 }}>
      <Table size="small" aria-label="Installed models">
        <TableHead>
          <TableRow>
            {columns.map((column, index) => (
              <TableCell key={index} sx={{ fontWeight: 600, whiteSpace: 'nowrap' }}>
                {column}
              </TableCell>
            ))}
          </TableRow>
        </TableHead>
        <TableBody>
          {models.map((model) => (
            <TableRow key={model.id}>
              <TableCell component="th" scope="row" sx={{ fontWeight: 600, overflowWrap: 'anywhere' }}>
                {model.name}
              </TableCell>
              <TableCell sx={{ whiteSpace: 'nowrap' }}>{formatBytes(model.sizeBytes)}</TableCell>
              <TableCell>{model.precision}</TableCell>
              <TableCell sx={{ overflowWrap: 'anywhere' }}>{model.source}</TableCell>
              <TableCell sx={{ whiteSpace: 'nowrap' }}>{`${model.imageSize}×${model.imageSize}`}</TableCell>
              <TableCell sx={{ whiteSpace: 'nowrap' }}>{new Date(model.installedAt).toLocaleDateString(undefined, { dateStyle: 'medium' })}</TableCell>
              <TableCell>
                <Typography variant="body2" component="code" sx={{ fontFamily: 'monospace', fontSize: 12, overflowWrap: 'anywhere', wordBreak: 'break-all' }}>
                  {model.path}
                </Typography>
              </TableCell>
              <TableCell align="right">
                <Button size="small" color="error" onClick={() => onRemove(model)} aria-label={`Remove ${model.name}`}>
                  Remove
                </Button>
              </TableCell>
            </TableRow>
          ))}
        </TableBody>
      </Table>
    </TableContainer>
  );
}
