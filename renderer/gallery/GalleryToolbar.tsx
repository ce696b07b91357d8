/**
 * Above the gallery grid: the prompt search, the count, the view (gallery or trash), Compare, and
 * the filters (board, model, seed, reference, rating, starred, dates) in a row that opens below.
 */
import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import Collapse from '@mui/material/Collapse';
import FormControlLabel from '@mui/material/FormControlLabel';
import MenuItem from '@mui/material/MenuItem';
import Switch from '@mui/material/Switch';
import TextField from '@mui/material/TextField';
import ToggleButton from '@mui/material/ToggleButton';
import ToggleButtonGroup from '@mui/material/ToggleButtonGroup';
import Typography from '@mui/material/Typography';
import { memo, useState } from 'react';
import type { Board, Model } from '../../preload/contract';
import { platformIsMac } from '../shortcuts/useKeyboardShortcut';
import { activeFilterCount, emptyFilters, type FilterField, type GalleryFilters } from './gallery-query';

interface GalleryToolbarProps {
  filters: GalleryFilters;
  onChange(patch: Partial<GalleryFilters>): void;
  /** Called first thing when the search text changes (starts the latency measure). */
  onTyped(): void;
  problems: Partial<Record<FilterField, string>>;
  /** Null until the first answer. */
  total: number | null;
  boards: Board[] | null;
  models: Model[] | null;
  selectedCount: number;
  onCompare(): void;
}

const anyValue = '';

function countText(total: number | null, trash: boolean): string {
  if (total === null) {
    return 'Searching…';
  }
  const images = `${total.toLocaleString()} ${total === 1 ? 'image' : 'images'}`;
  return trash ? `${images} in the trash` : images;
}

/** Memoised: the grid's results change far more often than anything the toolbar shows. */
export const GalleryToolbar = memo(function GalleryToolbar(props: GalleryToolbarProps) {
  const { filters, onChange, onTyped, problems, total, boards, models, selectedCount, onCompare } = props;
  const [filtersOpen, setFiltersOpen] = useState(false);
  const active = activeFilterCount(filters);
  return (
    <Box sx={{ borderBottom: 1, borderColor: 'divider', bgcolor: 'background.paper' }}>
      <Box sx={{ display: 'flex', alignItems: 'center', gap: 1.5, px: 2, py: 1.25, flexWrap: 'wrap' }}>
        <Typography component="h2" variant="subtitle1" sx={{ fontWeight: 600 }}>
          {filters.trash ? 'Trash' : 'Gallery'}
        </Typography>
        <TextField
          type="search"
          size="small"
          label="Search prompts"
          value={filters.text}
          onChange={(event) => {
            onTyped();
            onChange({ text: event.target.value });
          }}
          error={problems.text !== undefined}
          helperText={problems.text}
          sx={{ width: 320, maxWidth: '100%' }}
          slotProps={{ htmlInput: { autoComplete: 'off', spellCheck: false } }}
        />
        <Button variant={filtersOpen || active > 0 ? 'contained' : 'outlined'} onClick={() => setFiltersOpen((open) => !open)} aria-expanded={filtersOpen}>
          {active > 0 ? `Filters (${active})` : 'Filters'}
        </Button>
        <Typography variant="body2" color="text.secondary" role="status" sx={{ whiteSpace: 'nowrap' }}>
          {countText(total, filters.trash)}
        </Typography>
        <Box sx={{ flex: 1 }} />
        <Button variant="outlined" disabled={selectedCount !== 2} onClick={onCompare} title={`Select two images (${platformIsMac ? '⌘' : 'Ctrl+'}click) to compare them`}>
          Compare
        </Button>
        <ToggleButtonGroup
          size="small"
          exclusive
          value={filters.trash ? 'trash' : 'gallery'}
          onChange={(_event, value: 'gallery' | 'trash' | null) => value && onChange({ trash: value === 'trash' })}
          aria-label="Show"
        >
          <ToggleButton value="gallery">Images</ToggleButton>
          <ToggleButton value="trash">Trash</ToggleButton>
        </ToggleButtonGroup>
      </Box>
      <Collapse in={filtersOpen} unmountOnExit>
        <Box role="group" aria-label="Filters" sx={{ display: 'flex', flexWrap: 'wrap', alignItems: 'flex-start', gap: 1.5, px: 2, pb: 1.5 }}>
          <TextField
            select
            size="small"
            label="Board"
            value={filters.boardId ?? anyValue}
            onChange={(event) => onChange({ boardId: event.target.value === anyValue ? null : event.target.value })}
            sx={{ width: 180 }}
          >
            <MenuItem value={anyValue}>Any board</MenuItem>
            {(boards ?? []).map((board) => (
              <MenuItem key={board.id} value={board.id}>
                {board.name}
              </MenuItem>
            ))}
          </TextField>
          <TextField
            select
            size="small"
            label="Model"
            value={filters.modelId ?? anyValue}
            onChange={(event) => onChange({ modelId: event.target.value === anyValue ? null : event.target.value })}
            sx={{ width: 180 }}
          >
            <MenuItem value={anyValue}>Any model</MenuItem>
            {(models ?? []).map((model) => (
              <MenuItem key={model.id} value={model.id}>
                {model.name}
              </MenuItem>
            ))}
          </TextField>
          <TextField
            size="small"
            label="Seed"
            value={filters.seed}
            onChange={(event) => onChange({ seed: event.target.value })}
            error={problems.seed !== undefined}
            helperText={problems.seed}
            sx={{ width: 200 }}
            slotProps={{ htmlInput: { inputMode: 'numeric', autoComplete: 'off' } }}
          />
          <TextField
            size="small"
            label="Reference (sha256)"
            placeholder="Paste a hash, or pick a reference in the details"
            value={filters.referenceSha256}
            onChange={(event) => onChange({ referenceSha256: event.target.value })}
            error={problems.referenceSha256 !== undefined}
            helperText={problems.referenceSha256}
            sx={{ width: 300 }}
            slotProps={{ htmlInput: { autoComplete: 'off', spellCheck: false } }}
          />
          <TextField
            select
            size="small"
            label="Rating"
            value={filters.minRating === null ? anyValue : String(filters.minRating)}
            onChange={(event) => onChange({ minRating: event.target.value === anyValue ? null : Number(event.target.value) })}
            sx={{ width: 150 }}
          >
            <MenuItem value={anyValue}>Any rating</MenuItem>
            {[1, 2, 3, 4, 5].map((stars) => (
              <MenuItem key={stars} value={String(stars)}>
                {stars === 5 ? '5 stars' : `${stars}+ stars`}
              </MenuItem>
            ))}
          </TextField>
          <TextField
            type="date"
            size="small"
            label="From"
            value={filters.fromDate}
            onChange={(event) => onChange({ fromDate: event.target.value })}
            error={problems.fromDate !== undefined}
            helperText={problems.fromDate}
            sx={{ width: 170 }}
            slotProps={{ inputLabel: { shrink: true } }}
          />
          <TextField
            type="date"
            size="small"
            label="To"
            value={filters.toDate}
            onChange={(event) => onChange({ toDate: event.target.value })}
            error={problems.toDate !== undefined}
            helperText={problems.toDate}
            sx={{ width: 170 }}
            slotProps={{ inputLabel: { shrink: true } }}
          />
          <FormControlLabel
            control={<Switch checked={filters.starredOnly} onChange={(event) => onChange({ starredOnly: event.target.checked })} />}
            label="Starred only"
            sx={{ ml: 0, mt: 0.5 }}
          />
          <Button
            sx={{ mt: 0.5 }}
            disabled={active === 0}
            onClick={() => onChange({ ...emptyFilters, text: filters.text, trash: filters.trash })}
          >
            Clear filters
          </Button>
        </Box>
      </Collapse>
    </Box>
  );
});
