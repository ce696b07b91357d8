import { describe, expect, it } from 'vitest';
import { describeStatus } from './StatusChip';

const open = { kind: 'open', session: 1 } as const;

describe('describeStatus', () => {
  it('names the engine state, and the device once there is one', () => {
    expect(describeStatus({ connection: open, engine: { state: 'not-loaded', device: null, detail: '' } }).label).toBe(
      'Engine: not loaded',
    );
    const ready = describeStatus({ connection: open, engine: { state: 'idle', device: 'cuda', detail: 'RTX' } });
    expect(ready).toEqual({ label: 'Engine: ready · CUDA', color: 'success', detail: 'RTX' });
  });

  it('speaks of the connection first while there is none', () => {
    const engine = { state: 'idle', device: 'cpu', detail: '' } as const;
    expect(describeStatus({ connection: { kind: 'connecting', attempt: 0 }, engine }).label).toBe('Connecting…');
    expect(describeStatus({ connection: { kind: 'reconnecting', attempt: 2, delayMs: 1500 }, engine })).toMatchObject({
      label: 'Reconnecting…',
      color: 'warning',
      detail: expect.stringContaining('2 s'),
    });
    expect(describeStatus({ connection: { kind: 'closed' }, engine }).label).toBe('Disconnected');
  });
});
