import { describe, expect, it } from 'vitest';
import { measureCopyBandwidth } from './bandwidth';

describe('measureCopyBandwidth', () => {
  it('reports read + write bytes per second over every thread', async () => {
    const one = await measureCopyBandwidth(1, 4 * 1024 * 1024, 2);
    const two = await measureCopyBandwidth(2, 4 * 1024 * 1024, 2);
    expect(one).toMatchObject({ threads: 1, bytesPerCopy: 4 * 1024 * 1024 });
    expect(two.threads).toBe(2);
    // Any machine copies faster than 100 MB/s and slower than 10 TB/s.
    for (const result of [one, two]) {
      expect(result.readWriteGBs).toBeGreaterThan(0.1);
      expect(result.readWriteGBs).toBeLessThan(10_000);
    }
  });
});
