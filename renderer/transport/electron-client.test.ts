import { describe, expect, it, vi } from 'vitest';
import type { StudioBridge } from '../../preload/contract';
import { ElectronStudioClient, findElectronBridge } from './electron-client';

function fakeBridge(overrides: Record<string, unknown> = {}): StudioBridge {
  return {
    app: { health: vi.fn() },
    boards: {
      list: vi.fn(async () => ({ ok: true, value: { boards: [] } })),
      get: vi.fn(),
      create: vi.fn(),
      rename: vi.fn(),
      delete: vi.fn(async () => {
        throw new Error('IPC channel closed');
      }),
    },
    on: vi.fn(() => () => undefined),
    ...overrides,
  } as unknown as StudioBridge;
}

describe('ElectronStudioClient', () => {
  it('routes domain:verb to bridge.domain.verb', async () => {
    const bridge = fakeBridge();
    const client = new ElectronStudioClient(bridge);
    await expect(client.call('boards:list', {})).resolves.toEqual({ ok: true, value: { boards: [] } });
    expect(bridge.boards.list).toHaveBeenCalledWith({});
    expect(client.status.get()).toEqual({ kind: 'open', session: 1 });
  });

  it('turns a throwing bridge into an error result', async () => {
    const client = new ElectronStudioClient(fakeBridge());
    const result = await client.call('boards:delete', { id: '6f1c1f38-8f5c-4a57-9c0e-8e0c2b1f8a11' });
    expect(result).toMatchObject({ ok: false, error: { code: 'unreachable', detail: { transport: 'bridge' } } });
  });

  it('answers unknown_method when the preload lacks a method', async () => {
    const client = new ElectronStudioClient(fakeBridge({ app: {} }));
    await expect(client.call('app:health', {})).resolves.toMatchObject({ ok: false, error: { code: 'unknown_method' } });
  });

  it('passes event subscriptions to the bridge', () => {
    const bridge = fakeBridge();
    const listener = vi.fn();
    new ElectronStudioClient(bridge).on('engine:state', listener);
    expect(bridge.on).toHaveBeenCalledWith('engine:state', listener);
  });
});

describe('findElectronBridge', () => {
  it('finds window.studio or returns null', () => {
    const bridge = fakeBridge();
    expect(findElectronBridge({ studio: bridge })).toBe(bridge);
    expect(findElectronBridge({})).toBeNull();
  });
});
