/**
 * The generation parameters: model, variations, seed (mode and value) and sampling. Fields keep what
 * is typed; a value that cannot be used is marked here and explained in the composer's problem list.
 */
import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import TextField from '@mui/material/TextField';
import type { Model } from '../../preload/contract';
import { shownSampling, type ParamField, type ParamsDraft, type SamplingDraft } from './composer-params';
import type { SeedMode } from './seed';

interface ParametersRowProps {
  model: Model | null;
  params: ParamsDraft;
  problems: Partial<Record<ParamField, string>>;
  onField(field: ParamField, value: string): void;
  onSeedMode(mode: SeedMode): void;
  onReset(): void;
}

const samplingFields: { field: keyof SamplingDraft; label: string; inputMode: 'decimal' | 'numeric'; width: number }[] = [
  { field: 'cfgScale', label: 'CFG scale', inputMode: 'decimal', width: 84 },
  { field: 'temperature', label: 'Temperature', inputMode: 'decimal', width: 104 },
  { field: 'topK', label: 'Top-k', inputMode: 'numeric', width: 84 },
  { field: 'topP', label: 'Top-p', inputMode: 'decimal', width: 76 },
];

const seedModes: { mode: SeedMode; label: string }[] = [
  { mode: 'random', label: 'Random' },
  { mode: 'fixed', label: 'Fixed' },
  { mode: 'increment', label: 'Increment' },
];

const small = { size: 'small', slotProps: { inputLabel: { shrink: true } } } as const;
const group = { display: 'flex', alignItems: 'center', gap: 1 } as const;

/** The model the prompt runs on; its sampling defaults fill the fields until they are changed. */
export function ModelSelect({ models, model, onSelectModel }: { models: Model[] | null; model: Model | null; onSelectModel(id: string): void }) {
  const modelOptions = models ?? [];
  return (
    <TextField
      select
      {...small}
      label="Model"
      value={model?.id ?? ''}
      disabled={modelOptions.length === 0}
      onChange={(event) => onSelectModel(event.target.value)}
      slotProps={{ ...small.slotProps, select: { native: true } }}
      sx={{ width: 184 }}
    >
      {modelOptions.length === 0 ? <option value="">{models === null ? 'Loading…' : 'No model installed'}</option> : null}
      {modelOptions.map((option) => (
        <option key={option.id} value={option.id}>
          {option.name}
        </option>
      ))}
    </TextField>
  );
}

export function ParametersRow({ model, params, problems, onField, onSeedMode, onReset }: ParametersRowProps) {
  const sampling = shownSampling(params, model);
  // Two groups that wrap as wholes: the seed fields stay together, and so do the sampling fields.
  return (
    <>
      <Box sx={group}>
        <TextField
          {...small}
          label="Variations"
          type="number"
          value={params.count}
          error={problems.count !== undefined}
          onChange={(event) => onField('count', event.target.value)}
          slotProps={{ ...small.slotProps, htmlInput: { min: 1, max: 8, step: 1 } }}
          sx={{ width: 84 }}
        />
        <TextField
          select
          {...small}
          label="Seed mode"
          value={params.seedMode}
          onChange={(event) => onSeedMode(event.target.value as SeedMode)}
          slotProps={{ ...small.slotProps, select: { native: true } }}
          sx={{ width: 116 }}
        >
          {seedModes.map(({ mode, label }) => (
            <option key={mode} value={mode}>
              {label}
            </option>
          ))}
        </TextField>
        <TextField
          {...small}
          label="Seed"
          value={params.seedMode === 'random' ? '' : params.seed}
          placeholder={params.seedMode === 'random' ? 'new each run' : '0 to 18446744073709551615'}
          error={problems.seed !== undefined}
          onChange={(event) => onField('seed', event.target.value)}
          slotProps={{ ...small.slotProps, htmlInput: { inputMode: 'numeric', autoComplete: 'off', spellCheck: false } }}
          sx={{ width: 214 }}
        />
      </Box>
      <Box sx={group}>
        {samplingFields.map(({ field, label, inputMode, width }) => (
          <TextField
            key={field}
            {...small}
            label={label}
            value={sampling[field]}
            error={problems[field] !== undefined}
            onChange={(event) => onField(field, event.target.value)}
            slotProps={{ ...small.slotProps, htmlInput: { inputMode, autoComplete: 'off' } }}
            sx={{ width }}
          />
        ))}
        <Button
          size="small"
          aria-label="Reset to model defaults"
          title="Reset CFG scale, temperature, top-k and top-p to the model’s defaults"
          onClick={onReset}
          disabled={params.sampling === null || model === null}
        >
          Model defaults
        </Button>
      </Box>
    </>
  );
}
