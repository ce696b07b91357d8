import { describe, expect, it } from 'vitest';
import { readyDetail } from './engine-supervisor';

describe('the ready engine chip', () => {
  it('names the loaded model', () => {
    expect(readyDetail(null, null)).toBe('Ready.');
    expect(readyDetail({ name: 'mentor-stage2', precision: 'fp16' }, 'cuda')).toBe('Ready: mentor-stage2 is loaded.');
    expect(readyDetail({ name: 'mentor-int4', precision: 'int4' }, 'cpu')).toBe('Ready: mentor-int4 is loaded.');
  });

  it('tells a CPU user with an fp32 model that a quantized export is faster', () => {
    expect(readyDetail({ name: 'mentor-stage2', precision: 'fp32' }, 'cpu')).toBe(
      'Ready: mentor-stage2 is loaded. On the CPU, the same model exported with --precision int8 or int4 generates faster (about 1.3× or 2×).',
    );
  });
});
