import { describe, expect, it } from 'vitest';
import type { Model, Preset } from '../../preload/contract';
import {
  defaultParamsDraft,
  fromPresetParams,
  matchingPreset,
  paramProblems,
  resolveSampling,
  shownSampling,
  toPresetParams,
  withField,
} from './composer-params';

const model: Model = {
  id: '00000000-0000-4000-8000-000000000001',
  name: 'tiny',
  path: '/bundles/tiny',
  formatVersion: 1,
  precision: 'fp32',
  sizeBytes: 1,
  bundleSha256: 'a'.repeat(64),
  imageSize: 64,
  prefixLength: 64,
  tokensPerImage: 16,
  sampling: { cfgScale: 2.5, temperature: 0.9, topK: 5000, topP: 1 },
  source: 'random init (tiny preset)',
  installedAt: 1,
};

describe('composer parameters', () => {
  it('shows the model’s sampling defaults until a field is changed, then keeps the user’s values', () => {
    expect(shownSampling(defaultParamsDraft, model)).toEqual({ cfgScale: '2.5', temperature: '0.9', topK: '5000', topP: '1' });
    const edited = withField(defaultParamsDraft, model, 'cfgScale', '7.5');
    expect(edited.sampling).toEqual({ cfgScale: '7.5', temperature: '0.9', topK: '5000', topP: '1' });
    const otherModel = { ...model, sampling: { cfgScale: 1, temperature: 1, topK: 0, topP: 0.5 } };
    expect(resolveSampling(edited, otherModel)).toEqual({ cfgScale: 7.5, temperature: 0.9, topK: 5000, topP: 1 });
    expect(resolveSampling(defaultParamsDraft, otherModel)).toEqual(otherModel.sampling);
  });

  it('names each field that cannot be used, with its range', () => {
    let draft = withField(defaultParamsDraft, model, 'cfgScale', '51');
    draft = withField(draft, model, 'temperature', 'hot');
    draft = withField(draft, model, 'topK', '2.5');
    draft = withField(draft, model, 'topP', '0');
    draft = { ...draft, count: '9', seedMode: 'fixed', seed: '' };
    const problems = paramProblems(draft, model);
    expect(problems).toEqual({
      cfgScale: expect.stringContaining('0 to 50'),
      temperature: expect.stringContaining('0 to 5'),
      topK: expect.stringContaining('whole number'),
      topP: expect.stringContaining('above 0'),
      count: expect.stringContaining('1 to 8'),
      seed: 'Enter a seed, or choose Random',
    });
    expect(resolveSampling(draft, model)).toBeNull();
    expect(toPresetParams(draft, model)).toBeNull();
  });

  it('needs no seed in Random mode, and a seed typed there switches to Fixed', () => {
    expect(paramProblems({ ...defaultParamsDraft, seed: 'junk' }, model)).toEqual({});
    expect(withField(defaultParamsDraft, model, 'seed', '42')).toMatchObject({ seedMode: 'fixed', seed: '42' });
    expect(withField({ ...defaultParamsDraft, seedMode: 'increment' }, model, 'seed', '42')).toMatchObject({ seedMode: 'increment' });
  });

  it('turns the panel into a preset and back, and finds the preset it equals', () => {
    const draft = { ...withField(defaultParamsDraft, model, 'topK', '16384'), seedMode: 'fixed' as const, seed: '18446744073709551615', count: '4' };
    const params = toPresetParams(draft, model);
    expect(params).toEqual({ seedMode: 'fixed', seed: '18446744073709551615', count: 4, sampling: { cfgScale: 2.5, temperature: 0.9, topK: 16384, topP: 1 } });
    const presets: Preset[] = [
      { name: 'other', params: { ...params!, count: 2 }, updatedAt: 1 },
      { name: 'pinned', params: params!, updatedAt: 2 },
    ];
    expect(matchingPreset(presets, draft, model)).toBe('pinned');
    expect(matchingPreset(presets, { ...draft, count: '3' }, model)).toBeNull();
    expect(matchingPreset(presets, { ...draft, seed: '1' }, model)).toBeNull();
    const stepping = [{ name: 'stepping', params: { ...params!, seedMode: 'increment' as const }, updatedAt: 3 }];
    expect(matchingPreset(stepping, { ...draft, seedMode: 'increment', seed: '5' }, model)).toBe('stepping');
    expect(fromPresetParams(params!, defaultParamsDraft)).toEqual({
      seedMode: 'fixed',
      seed: '18446744073709551615',
      count: '4',
      sampling: { cfgScale: '2.5', temperature: '0.9', topK: '16384', topP: '1' },
    });
  });
});
