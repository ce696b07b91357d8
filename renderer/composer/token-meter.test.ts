import { describe, expect, it } from 'vitest';
import { meterView } from './token-meter';

const measure = (over: Partial<Parameters<typeof meterView>[0]> = {}) => ({
  markers: 1,
  textTokens: 25,
  imageTokens: 16,
  totalTokens: 41,
  prefixLength: 120,
  problem: null,
  ...over,
});

describe('the token meter', () => {
  it('says how many of the prefix tokens the prompt takes, and what they are made of', () => {
    const view = meterView(measure());
    expect(view.valueText).toBe('41 of 120 tokens');
    expect(view.level).toBe('ok');
    expect(view.breakdown).toBe('1 image × 16 = 16 · text 25');
    expect(view.imageShare).toBeCloseTo(16 / 120);
    expect(view.textShare).toBeCloseTo(25 / 120);
  });

  it('warns near the budget and shows an error over it, with the bar scaled to fit', () => {
    expect(meterView(measure({ textTokens: 87, totalTokens: 103 })).level).toBe('warning');
    const over = meterView(measure({ markers: 2, imageTokens: 32, textTokens: 100, totalTokens: 132, problem: 'too long' }));
    expect(over.level).toBe('error');
    expect(over.imageShare + over.textShare).toBeCloseTo(1);
    expect(over.breakdown).toBe('2 images × 16 = 32 · text 100');
    expect(meterView(measure({ markers: 0, imageTokens: 0, totalTokens: 25 })).breakdown).toBe('no images · text 25');
  });
});
