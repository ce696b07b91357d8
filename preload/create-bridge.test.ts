import { describe, expect, it, vi } from 'vitest';
import { methodNames, type StudioBridge } from './contract';
import { createBridge, type Invoke, type SubscribeToEvents } from './create-bridge';

function setUp(invoke: Invoke = async () => ({ ok: true, value: null })) {
  let dispatch: ((event: unknown, payload: unknown) => void) | undefined;
  const stop = vi.fn(() => {
    dispatch = undefined;
  });
  const subscribe = vi.fn<SubscribeToEvents>((next) => {
    dispatch = next;
    return stop;
  });
  const bridge = createBridge(invoke, subscribe);
  return { bridge, subscribe, stop, emit: (event: unknown, payload: unknown) => dispatch?.(event, payload) };
}

const boardId = '7d3c8a52-5f0e-4b8e-9d43-0f6b3c1a2e11';

describe('createBridge', () => {
  it('has one function per contract method, invoking its prefixed channel', async () => {
    const invoke = vi.fn<Invoke>(async () => ({ ok: true, value: 'done' }));
    const { bridge } = setUp(invoke);
    const loose = bridge as unknown as Record<string, Record<string, (input: unknown) => Promise<unknown>>>;
    for (const method of methodNames) {
      const [domain = '', verb = ''] = method.split(':');
      expect(typeof loose[domain]?.[verb], method).toBe('function');
    }
    await expect(bridge.boards.create({ name: 'Cats' })).resolves.toEqual({ ok: true, value: 'done' });
    expect(invoke).toHaveBeenCalledWith('studio:boards:create', { name: 'Cats' });
  });

  it('turns a failed invoke into an error result', async () => {
    const { bridge } = setUp(async () => {
      throw new Error("No handler registered for 'studio:boards:list'");
    });
    await expect(bridge.boards.list({})).resolves.toMatchObject({ ok: false, error: { code: 'unreachable' } });
  });

  it('exposes no raw IPC', () => {
    const { bridge } = setUp();
    expect(Object.keys(bridge).sort()).toEqual([...new Set(methodNames.map((m) => m.split(':')[0])), 'on'].sort());
    expect(bridge).not.toHaveProperty('invoke');
    expect(bridge).not.toHaveProperty('ipcRenderer');
  });

  it('delivers only the payload of the matching event, until unsubscribed', () => {
    const { bridge, emit, subscribe, stop } = setUp();
    const listener = vi.fn();
    const unsubscribe = bridge.on('boards:changed', listener);
    expect(subscribe).toHaveBeenCalledTimes(1);
    const payload = { boardId, change: 'created' as const };
    emit('boards:changed', payload);
    emit('engine:state', { state: 'idle', device: null, detail: '' });
    emit('not-an-event', {});
    expect(listener).toHaveBeenCalledTimes(1);
    expect(listener.mock.calls[0]).toEqual([payload]);
    unsubscribe();
    unsubscribe();
    emit('boards:changed', payload);
    expect(listener).toHaveBeenCalledTimes(1);
    expect(stop).toHaveBeenCalledTimes(1);
  });

  it('keeps one IPC subscription for many listeners and isolates a failing one', () => {
    const { bridge, emit, subscribe } = setUp();
    const error = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    const good = vi.fn();
    bridge.on('boards:changed', () => {
      throw new Error('listener bug');
    });
    bridge.on('boards:changed', good);
    bridge.on('engine:state', vi.fn());
    expect(subscribe).toHaveBeenCalledTimes(1);
    emit('boards:changed', { boardId, change: 'deleted' });
    expect(good).toHaveBeenCalledTimes(1);
    expect(error).toHaveBeenCalled();
    error.mockRestore();
  });

  it('refuses unknown event names and non-function listeners', () => {
    const { bridge } = setUp();
    const on = bridge.on as (event: unknown, listener: unknown) => () => void;
    expect(() => on('studio:boards:create', () => undefined)).toThrow(/Unknown studio event/);
    expect(() => on('boards:changed', 'nope')).toThrow(TypeError);
  });

  it('matches the StudioBridge type', () => {
    const { bridge } = setUp();
    const typed: StudioBridge = bridge;
    expect(typed).toBe(bridge);
  });
});
