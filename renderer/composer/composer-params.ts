/**
 * The parameters panel as the user types it (strings, so a half-typed "0." is not thrown away) and
 * how it turns into what the contract takes. `sampling: null` means "the model's defaults": the
 * fields show the selected model's values until the user changes one.
 */
import { maxVariations, type Model, type Preset, type PresetParams, type SamplingParams } from '../../preload/contract';
import { seedProblem, type SeedMode } from './seed';

export interface SamplingDraft {
  cfgScale: string;
  temperature: string;
  topK: string;
  topP: string;
}

export interface ParamsDraft {
  seedMode: SeedMode;
  seed: string;
  count: string;
  sampling: SamplingDraft | null;
}

export type ParamField = 'seed' | 'count' | keyof SamplingDraft;

export const defaultParamsDraft: ParamsDraft = { seedMode: 'random', seed: '', count: '1', sampling: null };

const emptySampling: SamplingDraft = { cfgScale: '', temperature: '', topK: '', topP: '' };

export function samplingToDraft(sampling: SamplingParams): SamplingDraft {
  return {
    cfgScale: String(sampling.cfgScale),
    temperature: String(sampling.temperature),
    topK: String(sampling.topK),
    topP: String(sampling.topP),
  };
}

/** What the sampling fields show: the user's values, else the model's defaults, else nothing. */
export function shownSampling(draft: ParamsDraft, model: Model | null): SamplingDraft {
  return draft.sampling ?? (model ? samplingToDraft(model.sampling) : emptySampling);
}

/**
 * Sets one field; the first change to a sampling field takes the other three from the model, and a
 * seed typed in Random mode switches to Fixed (a seed typed is a seed meant).
 */
export function withField(draft: ParamsDraft, model: Model | null, field: ParamField, value: string): ParamsDraft {
  if (field === 'seed') {
    return { ...draft, seed: value, seedMode: draft.seedMode === 'random' ? 'fixed' : draft.seedMode };
  }
  if (field === 'count') {
    return { ...draft, count: value };
  }
  return { ...draft, sampling: { ...shownSampling(draft, model), [field]: value } };
}

function parseNumber(text: string): number | null {
  const trimmed = text.trim();
  if (trimmed === '') {
    return null;
  }
  const value = Number(trimmed);
  return Number.isFinite(value) ? value : null;
}

const rules: Record<keyof SamplingDraft, { ok(value: number): boolean; message: string }> = {
  cfgScale: { ok: (v) => v >= 0 && v <= 50, message: 'CFG scale is a number from 0 to 50 (1 or less turns guidance off)' },
  temperature: { ok: (v) => v >= 0 && v <= 5, message: 'Temperature is a number from 0 to 5 (0 always takes the likeliest token)' },
  topK: { ok: (v) => Number.isInteger(v) && v >= 0, message: 'Top-k is a whole number (0 for no limit)' },
  topP: { ok: (v) => v > 0 && v <= 1, message: 'Top-p is a number above 0 and at most 1 (1 for no limit)' },
};

export const countRule = `Variations: a whole number from 1 to ${maxVariations}`;

/** A sentence per field that cannot be used as typed; empty when every field is fine. */
export function paramProblems(draft: ParamsDraft, model: Model | null): Partial<Record<ParamField, string>> {
  const problems: Partial<Record<ParamField, string>> = {};
  const count = parseNumber(draft.count);
  if (count === null || !Number.isInteger(count) || count < 1 || count > maxVariations) {
    problems.count = countRule;
  }
  if (draft.seedMode !== 'random') {
    const problem = seedProblem(draft.seed);
    if (problem !== null) {
      problems.seed = problem;
    }
  }
  if (model !== null || draft.sampling !== null) {
    const shown = shownSampling(draft, model);
    for (const field of Object.keys(rules) as (keyof SamplingDraft)[]) {
      const value = parseNumber(shown[field]);
      if (value === null || !rules[field].ok(value)) {
        problems[field] = rules[field].message;
      }
    }
  }
  return problems;
}

/** The sampling parameters to send, or null while a field is not usable. */
export function resolveSampling(draft: ParamsDraft, model: Model | null): SamplingParams | null {
  const shown = shownSampling(draft, model);
  const values = {
    cfgScale: parseNumber(shown.cfgScale),
    temperature: parseNumber(shown.temperature),
    topK: parseNumber(shown.topK),
    topP: parseNumber(shown.topP),
  };
  const problems = paramProblems(draft, model);
  if (values.cfgScale === null || values.temperature === null || values.topK === null || values.topP === null) {
    return null;
  }
  if (problems.cfgScale ?? problems.temperature ?? problems.topK ?? problems.topP) {
    return null;
  }
  return { cfgScale: values.cfgScale, temperature: values.temperature, topK: values.topK, topP: values.topP };
}

export function resolveCount(draft: ParamsDraft): number | null {
  const count = Number(draft.count.trim());
  return Number.isInteger(count) && count >= 1 && count <= maxVariations ? count : null;
}

/** The panel as a preset, or null while a field is not usable. */
export function toPresetParams(draft: ParamsDraft, model: Model | null): PresetParams | null {
  const sampling = resolveSampling(draft, model);
  const count = resolveCount(draft);
  const problems = paramProblems(draft, model);
  if (sampling === null || count === null || problems.seed !== undefined) {
    return null;
  }
  return { seedMode: draft.seedMode, seed: draft.seedMode === 'random' ? null : draft.seed.trim(), count, sampling };
}

export function fromPresetParams(params: PresetParams, current: ParamsDraft): ParamsDraft {
  return {
    seedMode: params.seedMode,
    // A random preset keeps whatever seed was in the field, for switching back to Fixed.
    seed: params.seed ?? current.seed,
    count: String(params.count),
    sampling: samplingToDraft(params.sampling),
  };
}

/**
 * The preset the panel equals right now (so the Preset box shows it), or null. The seed counts only
 * in Fixed mode: in Increment mode it is a starting point that moves with every run.
 */
export function matchingPreset(presets: readonly Preset[], draft: ParamsDraft, model: Model | null): string | null {
  const current = toPresetParams(draft, model);
  if (current === null) {
    return null;
  }
  const match = presets.find(
    (preset) =>
      preset.params.seedMode === current.seedMode &&
      (current.seedMode !== 'fixed' || preset.params.seed === current.seed) &&
      preset.params.count === current.count &&
      sameSampling(preset.params.sampling, current.sampling),
  );
  return match?.name ?? null;
}

function sameSampling(a: SamplingParams, b: SamplingParams): boolean {
  return a.cfgScale === b.cfgScale && a.temperature === b.temperature && a.topK === b.topK && a.topP === b.topP;
}
