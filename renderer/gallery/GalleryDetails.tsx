/**
 * The details pane of the gallery: the selected image larger, its prompt, rating and star, every
 * parameter (seed with a copy button), its references (each can filter the gallery) and timings,
 * and what can be done with it.
 */
import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import Divider from '@mui/material/Divider';
import IconButton from '@mui/material/IconButton';
import Rating from '@mui/material/Rating';
import Tooltip from '@mui/material/Tooltip';
import Typography from '@mui/material/Typography';
import { memo, useState, type ReactNode } from 'react';
import type { Generation } from '../../preload/contract';
import { EmptyState } from '../components/EmptyState';
import { platformIsMac } from '../shortcuts/useKeyboardShortcut';
import { CopyIcon, StarIcon } from './gallery-icons';
import { parameterFacts, timingFacts, type Fact, type FactNames } from './generation-facts';

interface GalleryDetailsProps {
  generation: Generation | null;
  /** How many images are selected (actions other than these details work on all of them). */
  selectedCount: number;
  inTrash: boolean;
  names: FactNames;
  imageUrl(sha256: string, size: number): string;
  /** Null when no board is selected (the button says so). */
  boardName: string | null;
  onRate(rating: number | null): void;
  onStar(starred: boolean): void;
  onRerun(): void;
  onPlaceOnBoard(): void;
  onTrash(): void;
  onRestore(): void;
  onFilterByReference(sha256: string): void;
}

export const detailsWidthPx = 340;

function FactList({ facts }: { facts: Fact[] }) {
  return (
    <Box component="dl" sx={{ display: 'grid', gridTemplateColumns: 'auto 1fr', columnGap: 1.5, rowGap: 0.5, m: 0 }}>
      {facts.map((fact) => (
        <Box key={fact.label} sx={{ display: 'contents' }}>
          <Typography component="dt" variant="body2" color="text.secondary">
            {fact.label}
          </Typography>
          <Typography component="dd" variant="body2" sx={{ m: 0, overflowWrap: 'anywhere' }}>
            {fact.value}
          </Typography>
        </Box>
      ))}
    </Box>
  );
}

function Section({ title, children }: { title: string; children: ReactNode }) {
  return (
    <Box sx={{ display: 'flex', flexDirection: 'column', gap: 1 }}>
      <Typography component="h3" variant="overline" color="text.secondary" sx={{ lineHeight: 1.5 }}>
        {title}
      </Typography>
      {children}
    </Box>
  );
}

/** Memoised: it follows the selected image, not every keystroke in the search box. */
export const GalleryDetails = memo(function GalleryDetails(props: GalleryDetailsProps) {
  const { generation, selectedCount, inTrash, names, imageUrl, boardName, onRate, onStar, onRerun, onPlaceOnBoard, onTrash, onRestore, onFilterByReference } =
    props;
  const [copied, setCopied] = useState<string | null>(null);
  const shell = (children: ReactNode) => (
    <Box
      component="aside"
      aria-label="Image details"
      sx={{ width: detailsWidthPx, flexShrink: 0, borderLeft: 1, borderColor: 'divider', bgcolor: 'background.paper', overflowY: 'auto', display: 'flex', flexDirection: 'column' }}
    >
      {children}
    </Box>
  );
  if (!generation) {
    return shell(
      <EmptyState title="No image selected" hint={`Click an image to see how it was made. ${platformIsMac ? '⌘' : 'Ctrl+'}click a second one to compare them.`} />,
    );
  }
  const many = selectedCount > 1;
  const copySeed = async () => {
    try {
      await navigator.clipboard.writeText(generation.seed);
      setCopied(generation.seed);
    } catch {
      setCopied(null);
    }
  };
  return shell(
    <Box sx={{ p: 2, display: 'flex', flexDirection: 'column', gap: 2 }}>
      {generation.resultSha256 ? (
        <Box
          component="img"
          src={imageUrl(generation.resultSha256, 512)}
          alt={`Selected: ${generation.prompt}`}
          sx={{ width: '100%', aspectRatio: '1', objectFit: 'contain', borderRadius: 1, bgcolor: 'action.hover' }}
        />
      ) : null}
      <Typography variant="body2" sx={{ overflowWrap: 'anywhere', whiteSpace: 'pre-wrap' }}>
        {generation.prompt}
      </Typography>
      <Box sx={{ display: 'flex', alignItems: 'center', gap: 1 }}>
        <Box role="group" aria-label="Rating">
          <Rating
            name={`rating-${generation.id}`}
            value={generation.rating}
            onChange={(_event, value) => onRate(value)}
            disabled={inTrash}
          />
        </Box>
        <Box sx={{ flex: 1 }} />
        <Tooltip title={generation.starred ? 'Remove the star' : 'Star this image'} describeChild>
          <span>
            <IconButton aria-label="Star" aria-pressed={generation.starred} onClick={() => onStar(!generation.starred)} disabled={inTrash}>
              <StarIcon filled={generation.starred} sx={{ color: generation.starred ? 'warning.main' : undefined }} />
            </IconButton>
          </span>
        </Tooltip>
      </Box>
      <Box sx={{ display: 'flex', flexWrap: 'wrap', gap: 1 }}>
        {inTrash ? (
          <Button variant="contained" onClick={onRestore}>
            {many ? `Restore ${selectedCount} images` : 'Restore'}
          </Button>
        ) : (
          <>
            <Tooltip title={boardName ? `Runs it again exactly; the result goes onto “${boardName}”` : 'Runs it again exactly'} describeChild>
              <Button variant="contained" onClick={onRerun}>
                Re-run
              </Button>
            </Tooltip>
            <Tooltip title={boardName ? `Adds the image to “${boardName}”` : 'Select a board in the Studio first'} describeChild>
              <span>
                <Button variant="outlined" onClick={onPlaceOnBoard} disabled={boardName === null}>
                  Place on board
                </Button>
              </span>
            </Tooltip>
            <Button color="error" onClick={onTrash}>
              Move to trash
            </Button>
          </>
        )}
      </Box>
      {many ? (
        <Typography variant="caption" color="text.secondary">
          {selectedCount} images selected; {inTrash ? 'Restore' : 'Move to trash'} works on all of them, the rest on this one.
        </Typography>
      ) : null}
      <Divider />
      <Section title="Parameters">
        <Box sx={{ display: 'flex', alignItems: 'center', gap: 1 }}>
          <Typography variant="body2" color="text.secondary">
            Seed
          </Typography>
          <Typography variant="body2" sx={{ fontFamily: 'monospace', overflowWrap: 'anywhere', flex: 1 }}>
            {generation.seed}
          </Typography>
          <Tooltip title={copied === generation.seed ? 'Copied' : 'Copy the seed'}>
            <IconButton size="small" aria-label="Copy seed" onClick={() => void copySeed()}>
              <CopyIcon fontSize="small" />
            </IconButton>
          </Tooltip>
        </Box>
        <FactList facts={parameterFacts(generation, names).filter((fact) => fact.label !== 'Seed')} />
      </Section>
      <Section title="References">
        {generation.references.length === 0 ? (
          <Typography variant="body2" color="text.secondary">
            None: made from the text alone.
          </Typography>
        ) : (
          <Box sx={{ display: 'flex', flexWrap: 'wrap', gap: 1 }}>
            {generation.references.map((sha256, index) => (
              <Tooltip key={`${sha256}-${index}`} title="Show every image made from this reference" describeChild>
                <Box
                  component="button"
                  type="button"
                  aria-label={`Filter by reference ${index + 1}`}
                  onClick={() => onFilterByReference(sha256)}
                  sx={{ p: 0, border: 1, borderColor: 'divider', borderRadius: 1, overflow: 'hidden', cursor: 'pointer', bgcolor: 'action.hover', width: 64, height: 64 }}
                >
                  <Box component="img" src={imageUrl(sha256, 128)} alt={`Reference ${index + 1}`} sx={{ width: '100%', height: '100%', objectFit: 'cover', display: 'block' }} />
                </Box>
              </Tooltip>
            ))}
          </Box>
        )}
      </Section>
      <Section title="Timings">
        <FactList facts={timingFacts(generation)} />
      </Section>
    </Box>,
  );
});
