/**
 * Seeds are unsigned 64-bit integers carried as decimal strings (JSON numbers stop at 2^53). The
 * composer draws, checks and increments them with BigInt so no digit is ever rounded away.
 */
import { Seed } from '../../preload/contract';

export type SeedMode = 'random' | 'fixed' | 'increment';

export const maxSeed = (1n << 64n) - 1n;
const seedRule = `A seed is a whole number from 0 to ${maxSeed}`;

/** The sentence the user reads for a seed that cannot be used, or null when it can. */
export function seedProblem(text: string): string | null {
  const trimmed = text.trim();
  if (trimmed === '') {
    return 'Enter a seed, or choose Random';
  }
  // The contract's range check runs BigInt() even on text its pattern refused, so check the digits first.
  if (!/^\d+$/.test(trimmed)) {
    return seedRule;
  }
  const parsed = Seed.safeParse(trimmed);
  return parsed.success ? null : (parsed.error.issues[0]?.message ?? seedRule);
}

/** The next seed; after 18446744073709551615 comes 0. */
export function incrementSeed(seed: string): string {
  const value = BigInt(seed);
  return value >= maxSeed ? '0' : (value + 1n).toString();
}

/** 64 random bits as a seed. `fill` is `crypto.getRandomValues` unless a test passes its own. */
export function randomSeed(fill: (bytes: Uint32Array) => Uint32Array = (bytes) => crypto.getRandomValues(bytes)): string {
  const words = fill(new Uint32Array(2));
  return ((BigInt(words[0] ?? 0) << 32n) | BigInt(words[1] ?? 0)).toString();
}

/**
 * The seed to send for a generation in `mode`, and what the seed field holds afterwards: Random
 * draws a new one each time; Fixed repeats; Increment sends the current one and then steps to the next.
 */
export function seedForRun(mode: SeedMode, current: string, draw: () => string = randomSeed): { seed: string; next: string } {
  if (mode === 'random') {
    const seed = draw();
    return { seed, next: current };
  }
  const seed = current.trim();
  return { seed, next: mode === 'increment' ? incrementSeed(seed) : seed };
}
