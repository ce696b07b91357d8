import path from 'node:path';

/**
 * The files a generation of `count` images writes. A `{n}` in `out` is replaced by the variation's
 * number (1-based); without one, a single image goes to `out` itself and several to `out-1.png`,
 * `out-2.png`, … (the number before the extension).
 *
 * @example
 * outPaths('cat.png', 2); // ['cat-1.png', 'cat-2.png']
 * outPaths('cat-{n}.png', 2); // ['cat-1.png', 'cat-2.png']
 */
export function outPaths(out: string, count: number): string[] {
  const numbers = Array.from({ length: count }, (_, i) => i + 1);
  if (out.includes('{n}')) {
    return numbers.map((n) => out.replaceAll('{n}', String(n)));
  }
  if (count === 1) {
    return [out];
  }
  const ext = path.extname(out);
  const stem = ext === '' ? out : out.slice(0, -ext.length);
  return numbers.map((n) => `${stem}-${n}${ext}`);
}
