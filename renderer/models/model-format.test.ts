import { describe, expect, it } from 'vitest';
import { formatBytes, importPercent, importProgressText } from './model-format';

describe('model formatting', () => {
  it('writes sizes with a unit that keeps the number short', () => {
    expect(formatBytes(0)).toBe('0 B');
    expect(formatBytes(999)).toBe('999 B');
    expect(formatBytes(3_400_000)).toBe('3.4 MB');
    expect(formatBytes(12_345_678_901)).toBe('12.3 GB');
    expect(formatBytes(250_000_000)).toBe('250 MB');
  });

  it('turns hashing progress into a percent and a line naming the file', () => {
    const progress = { file: 'bundles/tiny/decode.onnx', doneBytes: 120_000_000, totalBytes: 1_200_000_000 };
    expect(importPercent(progress)).toBe(10);
    expect(importProgressText(progress)).toBe('Checking decode.onnx · 120 MB of 1.2 GB');
    expect(importPercent({ file: 'x', doneBytes: 0, totalBytes: 0 })).toBeNull();
    expect(importProgressText({ file: 'C:\\m\\vq.onnx', doneBytes: 0, totalBytes: 0 })).toBe('Checking vq.onnx');
  });
});
