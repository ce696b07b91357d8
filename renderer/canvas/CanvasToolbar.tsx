/**
 * The canvas toolbar. "Add images" opens a file picker (a hidden input with the same label, which
 * tests fill with `setInputFiles`); the other tools act on the selection, the history or the view.
 */
import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import Divider from '@mui/material/Divider';
import IconButton from '@mui/material/IconButton';
import Tooltip from '@mui/material/Tooltip';
import Typography from '@mui/material/Typography';
import { useRef, type ReactNode } from 'react';
import {
  AddImageIcon,
  DeleteIcon,
  FitIcon,
  ListIcon,
  RedoIcon,
  UndoIcon,
  UseAsReferenceIcon,
  ZoomInIcon,
  ZoomOutIcon,
} from './canvas-icons';

interface CanvasToolbarProps {
  selectedCount: number;
  canUndo: boolean;
  canRedo: boolean;
  zoomPercent: number;
  itemsListOpen: boolean;
  itemsListId: string;
  onAddFiles(files: File[]): void;
  onUseAsReference(): void;
  onDelete(): void;
  onUndo(): void;
  onRedo(): void;
  onZoomIn(): void;
  onZoomOut(): void;
  onFit(): void;
  onToggleItemsList(): void;
}

/** An icon button with a tooltip; the span keeps the tooltip working while the button is disabled. */
function ToolButton({ label, hint, disabled = false, onClick, children }: { label: string; hint?: string; disabled?: boolean; onClick(): void; children: ReactNode }) {
  return (
    <Tooltip title={hint ?? label}>
      <span>
        <IconButton aria-label={label} size="small" disabled={disabled} onClick={onClick}>
          {children}
        </IconButton>
      </span>
    </Tooltip>
  );
}

export function CanvasToolbar(props: CanvasToolbarProps) {
  const fileInput = useRef<HTMLInputElement>(null);
  const nothingSelected = props.selectedCount === 0;
  return (
    <Box
      role="toolbar"
      aria-label="Canvas tools"
      sx={{
        display: 'flex',
        alignItems: 'center',
        gap: 0.5,
        px: 1,
        py: 0.5,
        borderBottom: 1,
        borderColor: 'divider',
        bgcolor: 'background.paper',
        flexShrink: 0,
        minWidth: 0,
        overflow: 'hidden',
      }}
    >
      <Button size="small" startIcon={<AddImageIcon />} onClick={() => fileInput.current?.click()}>
        Add images
      </Button>
      <input
        ref={fileInput}
        type="file"
        multiple
        accept="image/*"
        aria-label="Add images"
        hidden
        onChange={(event) => {
          const files = [...(event.target.files ?? [])];
          // Cleared so choosing the same file again still fires a change.
          event.target.value = '';
          if (files.length > 0) {
            props.onAddFiles(files);
          }
        }}
      />
      <Divider orientation="vertical" flexItem sx={{ mx: 0.5 }} />
      <ToolButton label="Use as reference" hint="Use as reference in the prompt" disabled={nothingSelected} onClick={props.onUseAsReference}>
        <UseAsReferenceIcon fontSize="small" />
      </ToolButton>
      <ToolButton label="Delete" hint="Delete (Del)" disabled={nothingSelected} onClick={props.onDelete}>
        <DeleteIcon fontSize="small" />
      </ToolButton>
      <Divider orientation="vertical" flexItem sx={{ mx: 0.5 }} />
      <ToolButton label="Undo" hint="Undo (Ctrl+Z)" disabled={!props.canUndo} onClick={props.onUndo}>
        <UndoIcon fontSize="small" />
      </ToolButton>
      <ToolButton label="Redo" hint="Redo (Ctrl+Shift+Z)" disabled={!props.canRedo} onClick={props.onRedo}>
        <RedoIcon fontSize="small" />
      </ToolButton>
      <Divider orientation="vertical" flexItem sx={{ mx: 0.5 }} />
      <ToolButton label="Zoom out" hint="Zoom out (−)" onClick={props.onZoomOut}>
        <ZoomOutIcon fontSize="small" />
      </ToolButton>
      <Typography variant="body2" color="text.secondary" sx={{ minWidth: 44, textAlign: 'center', fontVariantNumeric: 'tabular-nums' }}>
        {props.zoomPercent} %
      </Typography>
      <ToolButton label="Zoom in" hint="Zoom in (+)" onClick={props.onZoomIn}>
        <ZoomInIcon fontSize="small" />
      </ToolButton>
      <ToolButton label="Fit to screen" hint="Fit to screen (F)" onClick={props.onFit}>
        <FitIcon fontSize="small" />
      </ToolButton>
      <Box sx={{ flex: 1 }} />
      <Tooltip title={props.itemsListOpen ? 'Hide the list of items' : 'Show the list of items'}>
        <IconButton
          aria-label="Items list"
          aria-expanded={props.itemsListOpen}
          aria-controls={props.itemsListId}
          size="small"
          onClick={props.onToggleItemsList}
          color={props.itemsListOpen ? 'primary' : 'default'}
        >
          <ListIcon fontSize="small" />
        </IconButton>
      </Tooltip>
    </Box>
  );
}
