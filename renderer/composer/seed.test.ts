import { describe, expect, it } from 'vitest';
import { incrementSeed, maxSeed, randomSeed, seedForRun, seedProblem } from './seed';

describe('seeds', () => {
  it('accepts every 64-bit seed and explains the ones it refuses', () => {
    expect(seedProblem('0')).toBeNull();
    expect(seedProblem(' 18446744073709551615 ')).toBeNull();
    expect(seedProblem('18446744073709551616')).toMatch(/from 0 to 18446744073709551615/);
    expect(seedProblem('-1')).toMatch(/whole number/);
    expect(seedProblem('1.5')).toMatch(/whole number/);
    expect(seedProblem('')).toBe('Enter a seed, or choose Random');
  });

  it('increments without losing digits and wraps after the largest seed', () => {
    expect(incrementSeed('9007199254740993')).toBe('9007199254740994');
    expect(incrementSeed(maxSeed.toString())).toBe('0');
  });

  it('draws all 64 bits from the random source', () => {
    expect(randomSeed((words) => words.fill(0xffffffff))).toBe(maxSeed.toString());
    expect(randomSeed((words) => {
      words[0] = 1;
      words[1] = 2;
      return words;
    })).toBe(((1n << 32n) + 2n).toString());
    const seeds = new Set(Array.from({ length: 20 }, () => randomSeed()));
    expect(seeds.size).toBe(20);
    for (const seed of seeds) {
      expect(seedProblem(seed)).toBeNull();
    }
  });

  it('gives the seed to send and the next one for each mode', () => {
    expect(seedForRun('fixed', '42')).toEqual({ seed: '42', next: '42' });
    expect(seedForRun('increment', '42')).toEqual({ seed: '42', next: '43' });
    expect(seedForRun('random', '42', () => '7')).toEqual({ seed: '7', next: '42' });
  });
});
