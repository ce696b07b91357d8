/**
 * The sampling uniforms: one counter-based generator keyed by (seed, image index, token index),
 * `nested-splitmix64-v1` in native-models/spec/uniforms.md. The Python twin is
 * native-models/mentor_models/uniforms.py; both are checked against
 * native-models/spec/uniforms-vectors.json, so the same seed draws the same numbers in either.
 *
 * Each uniform is a 24-bit integer over 2^24: exact in float32 and float64, so the Float32Array fed
 * to the ONNX decode graph holds exactly the numbers computed here.
 */

export const generatorName = 'nested-splitmix64-v1';

/** The largest seed, 2^64 − 1. */
export const maxSeed = (1n << 64n) - 1n;

const mask64 = maxSeed;
// SplitMix64's increment and finaliser multipliers (Steele, Lea & Flood, OOPSLA 2014).
const gamma = 0x9e3779b97f4a7c15n;
const mixM1 = 0xbf58476d1ce4e5b9n;
const mixM2 = 0x94d049bb133111ebn;
const uniformBits = 24n;
const uniformScale = 2 ** -24;

/** SplitMix64's finaliser, a bijection on 64-bit integers. */
export function mix64(value: bigint): bigint {
  let z = value & mask64;
  z = ((z ^ (z >> 30n)) * mixM1) & mask64;
  z = ((z ^ (z >> 27n)) * mixM2) & mask64;
  return z ^ (z >> 31n);
}

/** Output `n` (0-based) of a SplitMix64 stream whose state starts at `state`. */
export function splitmixAt(state: bigint, n: bigint): bigint {
  return mix64(state + (n + 1n) * gamma);
}

function checkU64(value: bigint, name: string): void {
  if (typeof value !== 'bigint' || value < 0n || value > mask64) {
    throw new RangeError(`${name} must be an integer in [0, 2^64 - 1], got ${String(value)}`);
  }
}

function checkIndex(value: number, name: string): void {
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new RangeError(`${name} must be a non-negative safe integer, got ${String(value)}`);
  }
}

function imageState(seed: bigint, image: bigint): bigint {
  return splitmixAt(splitmixAt(seed, 0n), image);
}

/**
 * The 64-bit key of (seed, image, token) over the full unsigned 64-bit range of all three; the
 * uniform is its top 24 bits.
 */
export function uniformKey(seed: bigint, image: bigint, token: bigint): bigint {
  checkU64(seed, 'seed');
  checkU64(image, 'image');
  checkU64(token, 'token');
  return splitmixAt(imageState(seed, image), token);
}

/** The uniform times 2^24: an integer in [0, 2^24). */
export function uniformNumerator(seed: bigint, image: bigint, token: bigint): number {
  return Number(uniformKey(seed, image, token) >> (64n - uniformBits));
}

/**
 * The uniform in [0, 1) for token `token` of image `image` (both 0-based) under `seed`.
 *
 * @example
 * uniform(42n, 0, 3); // 0.6034905910491943 (= 10124892 / 2^24)
 */
export function uniform(seed: bigint, image: number, token: number): number {
  checkIndex(image, 'image');
  checkIndex(token, 'token');
  return uniformNumerator(seed, BigInt(image), BigInt(token)) * uniformScale;
}

/**
 * Uniforms for tokens `startToken .. startToken + count − 1` of one image, as the decode graph takes
 * them. A resumed or row-at-a-time run asks for its later tokens directly.
 *
 * @example
 * uniformsFor(42n, 0, 0, 1024); // Float32Array(1024), the draws for a 32×32 grid
 */
export function uniformsFor(seed: bigint, image: number, startToken: number, count: number): Float32Array {
  checkU64(seed, 'seed');
  checkIndex(image, 'image');
  checkIndex(startToken, 'startToken');
  checkIndex(count, 'count');
  // In BigInt: the float sum can round back under the limit.
  if (count > 0 && BigInt(startToken) + BigInt(count) - 1n > BigInt(Number.MAX_SAFE_INTEGER)) {
    throw new RangeError(`${count} tokens from ${startToken} go past 2^53 - 1`);
  }
  const state = imageState(seed, BigInt(image));
  const out = new Float32Array(count);
  // Consecutive SplitMix64 outputs: add GAMMA per token instead of multiplying each time.
  let z = (state + (BigInt(startToken) + 1n) * gamma) & mask64;
  for (let j = 0; j < count; j += 1) {
    out[j] = Number(mix64(z) >> (64n - uniformBits)) * uniformScale;
    z = (z + gamma) & mask64;
  }
  return out;
}

/**
 * A seed from its decimal text: ASCII digits only, no sign, spaces or leading zeros, at most
 * 18446744073709551615. Anything else throws rather than being clamped or wrapped.
 *
 * @example
 * parseSeed('18446744073709551615'); // 18446744073709551615n
 */
export function parseSeed(text: string): bigint {
  if (typeof text !== 'string' || !/^(0|[1-9][0-9]*)$/.test(text)) {
    throw new RangeError(`seed must be a decimal integer in [0, 2^64), got ${JSON.stringify(text)}`);
  }
  const seed = BigInt(text);
  if (seed > mask64) {
    throw new RangeError(`seed must be at most ${mask64}, got ${text}`);
  }
  return seed;
}
