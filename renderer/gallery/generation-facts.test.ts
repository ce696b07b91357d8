import { describe, expect, it } from 'vitest';
import type { Generation } from '../../preload/contract';
import { compareFacts, formatDuration, parameterFacts, timingFacts } from './generation-facts';

const base: Generation = {
  id: '00000000-0000-4000-8000-000000000001',
  batchId: '00000000-0000-4000-8000-000000000002',
  variation: 0,
  boardId: null,
  modelId: 'm',
  prompt: 'The cat in <image>. A pixel-art hero',
  references: ['a'.repeat(64)],
  seed: '18446744073709551615',
  params: { cfgScale: 1, temperature: 0, topK: 0, topP: 1 },
  status: 'done',
  error: null,
  resultSha256: 'b'.repeat(64),
  rating: null,
  starred: false,
  trashedAt: null,
  queuePosition: 0,
  createdAt: 1_000,
  startedAt: 2_000,
  finishedAt: 14_400,
};
const names = { modelName: (id: string | null) => (id === 'm' ? 'tiny' : 'removed model'), boardName: () => 'no board' };

describe('generation facts', () => {
  it('spells out what the special values mean, and keeps the 64-bit seed exact', () => {
    const facts = Object.fromEntries(parameterFacts(base, names).map((fact) => [fact.label, fact.value]));
    expect(facts).toMatchObject({
      Model: 'tiny',
      Seed: '18446744073709551615',
      Variation: '1',
      'CFG scale': '1 (guidance off)',
      Temperature: '0 (greedy)',
      'Top-k': 'off',
      'Top-p': 'off',
      References: '1',
    });
  });

  it('gives the run time once the image is finished', () => {
    expect(timingFacts(base).map((fact) => fact.label)).toEqual(['Queued', 'Started', 'Finished', 'Took']);
    expect(timingFacts(base).at(-1)!.value).toBe('12 s');
    expect(timingFacts({ ...base, startedAt: null, finishedAt: null }).map((fact) => fact.label)).toEqual(['Queued']);
    expect(formatDuration(1234)).toBe('1.2 s');
    expect(formatDuration(125_000)).toBe('2 min 5 s');
  });

  it('marks exactly the lines that differ between two images', () => {
    const other = { ...base, seed: '42', references: ['c'.repeat(64)] };
    const differing = compareFacts(base, other, names).filter((fact) => fact.differs).map((fact) => fact.label);
    expect(differing).toEqual(['Seed', 'References']);
    expect(compareFacts(base, base, names).some((fact) => fact.differs)).toBe(false);
  });
});
