import { describe, expect, it } from 'vitest';
import { Seed } from './contract';

describe('Seed', () => {
  it('accepts every unsigned 64-bit decimal', () => {
    for (const seed of ['0', '7', '18446744073709551615']) {
      expect(Seed.safeParse(seed).success).toBe(true);
    }
  });

  it('refuses anything else with the message, never a thrown BigInt error', () => {
    for (const seed of ['1.5', '-1', 'abc', '', '18446744073709551616', '007', ' 1']) {
      const parsed = Seed.safeParse(seed);
      expect(parsed.success, seed).toBe(false);
      expect(parsed.error?.issues[0]?.message).toBe('A seed is a whole number from 0 to 18446744073709551615');
    }
  });
});
