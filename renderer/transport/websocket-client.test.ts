import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { FakeWebSocket } from './fake-websocket.test-helper';
import { studioWebSocketUrl, WebSocketStudioClient, type WebSocketClientOptions } from './websocket-client';

const boardId = '6f1c1f38-8f5c-4a57-9c0e-8e0c2b1f8a11';
const board = { id: boardId, name: 'Cats', itemCount: 0, createdAt: 1, updatedAt: 1 };

function makeClient(options: Partial<WebSocketClientOptions> = {}): WebSocketStudioClient {
  return new WebSocketStudioClient('ws://127.0.0.1:5000/api/ws?token=t', { socketClass: FakeWebSocket, ...options });
}

/** Lets promise callbacks run. */
async function flush(): Promise<void> {
  await Promise.resolve();
  await Promise.resolve();
}

beforeEach(() => {
  FakeWebSocket.reset();
  vi.useFakeTimers();
});

afterEach(() => {
  vi.useRealTimers();
  vi.restoreAllMocks();
});

describe('studioWebSocketUrl', () => {
  it('uses ws on http and wss on https, and encodes the token', () => {
    expect(studioWebSocketUrl({ protocol: 'http:', host: '127.0.0.1:4173' }, 'a b/c')).toBe(
      'ws://127.0.0.1:4173/api/ws?token=a%20b%2Fc',
    );
    expect(studioWebSocketUrl({ protocol: 'https:', host: 'studio.local' }, 'x')).toBe(
      'wss://studio.local/api/ws?token=x',
    );
  });
});

describe('WebSocketStudioClient', () => {
  it('connects at once to the given URL and reports connecting, then open', () => {
    const client = makeClient();
    const socket = FakeWebSocket.latest();
    expect(socket.url).toBe('ws://127.0.0.1:5000/api/ws?token=t');
    expect(client.status.get()).toEqual({ kind: 'connecting', attempt: 0 });
    const seen: string[] = [];
    client.status.subscribe(() => seen.push(client.status.get().kind));
    socket.serverOpens();
    expect(client.status.get()).toEqual({ kind: 'open', session: 1 });
    expect(seen).toEqual(['open']);
  });

  it('sends calls in the wire format and matches results by id, in any order', async () => {
    const client = makeClient();
    const socket = FakeWebSocket.latest();
    socket.serverOpens();

    const list = client.call('boards:list', {});
    const create = client.call('boards:create', { name: 'Cats' });
    expect(socket.sent).toEqual([
      { type: 'call', id: 1, method: 'boards:list', input: {} },
      { type: 'call', id: 2, method: 'boards:create', input: { name: 'Cats' } },
    ]);

    socket.serverSends({ type: 'result', id: 2, result: { ok: true, value: board } });
    socket.serverSends({
      type: 'result',
      id: 1,
      result: { ok: false, error: { code: 'library_unavailable', message: 'The library is damaged' } },
    });

    await expect(create).resolves.toEqual({ ok: true, value: board });
    await expect(list).resolves.toEqual({
      ok: false,
      error: { code: 'library_unavailable', message: 'The library is damaged' },
    });
  });

  it('holds calls made before the socket opens and sends them when it does', async () => {
    const client = makeClient();
    const socket = FakeWebSocket.latest();
    const health = client.call('app:health', {});
    expect(socket.sent).toEqual([]);

    socket.serverOpens();
    expect(socket.sent).toEqual([{ type: 'call', id: 1, method: 'app:health', input: {} }]);
    socket.serverSends({ type: 'result', id: 1, result: { ok: true, value: { fine: true } } });
    await expect(health).resolves.toEqual({ ok: true, value: { fine: true } });
  });

  it('fails a held call with a clear message after the wait timeout, and never sends it', async () => {
    const client = makeClient({ callWaitTimeoutMs: 3_000 });
    const socket = FakeWebSocket.latest();
    const call = client.call('boards:list', {});

    vi.advanceTimersByTime(2_999);
    let settled = false;
    void call.then(() => {
      settled = true;
    });
    await flush();
    expect(settled).toBe(false);

    vi.advanceTimersByTime(1);
    const result = await call;
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.error.code).toBe('unreachable');
      expect(result.error.message).toMatch(/not reachable \(waited 3 s to send boards:list\)/);
      expect(result.error.detail).toEqual({ transport: 'timeout' });
    }
    socket.serverOpens();
    expect(socket.sent).toEqual([]);
  });

  it('delivers events to the listeners of that event until they unsubscribe', () => {
    const client = makeClient();
    const socket = FakeWebSocket.latest();
    socket.serverOpens();
    const changes: unknown[] = [];
    const engine: unknown[] = [];
    const off = client.on('boards:changed', (payload) => changes.push(payload));
    client.on('engine:state', (payload) => engine.push(payload));

    const payload = { boardId, change: 'created' };
    socket.serverSends({ type: 'event', event: 'boards:changed', payload });
    socket.serverSends({ type: 'event', event: 'no:such-event', payload: {} });
    off();
    socket.serverSends({ type: 'event', event: 'boards:changed', payload });

    expect(changes).toEqual([payload]);
    expect(engine).toEqual([]);
  });

  it('keeps calling the other listeners when one throws', () => {
    const errors = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    const client = makeClient();
    const socket = FakeWebSocket.latest();
    socket.serverOpens();
    const seen: unknown[] = [];
    client.on('engine:state', () => {
      throw new Error('boom');
    });
    client.on('engine:state', (payload) => seen.push(payload));
    const payload = { state: 'idle', device: 'cpu', detail: '' };
    socket.serverSends({ type: 'event', event: 'engine:state', payload });
    expect(seen).toEqual([payload]);
    expect(errors).toHaveBeenCalledTimes(1);
  });

  it('ignores messages it cannot use and answers a malformed result with an error', async () => {
    const errors = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    const client = makeClient();
    const socket = FakeWebSocket.latest();
    socket.serverOpens();
    const call = client.call('boards:list', {});

    socket.serverSends('not json');
    socket.serverSends([1, 2]);
    socket.serverSends({ type: 'result', id: 99, result: { ok: true, value: 1 } });
    socket.serverSends({ type: 'result', id: 1, result: { ok: false, error: { code: 'nonsense' } } });

    const result = await call;
    expect(result).toEqual({
      ok: false,
      error: { code: 'internal', message: 'The studio server sent an answer this window cannot read.' },
    });
    expect(errors).toHaveBeenCalledTimes(1);
  });

  it('fails in-flight calls when the socket drops, without sending them again', async () => {
    const client = makeClient();
    const first = FakeWebSocket.latest();
    first.serverOpens();
    const create = client.call('boards:create', { name: 'Cats' });
    first.serverCloses(1006);

    const result = await create;
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.error.message).toMatch(/dropped before it answered/);
      expect(result.error.detail).toEqual({ transport: 'disconnected' });
    }
    vi.advanceTimersByTime(250);
    const second = FakeWebSocket.latest();
    expect(second).not.toBe(first);
    second.serverOpens();
    expect(second.sent).toEqual([]);
  });

  it('reconnects with exponential backoff up to the cap, and starts a new session', () => {
    const client = makeClient({ reconnectInitialDelayMs: 100, reconnectFactor: 2, reconnectMaxDelayMs: 500 });
    FakeWebSocket.latest().serverOpens();
    expect(client.status.get()).toEqual({ kind: 'open', session: 1 });

    const delays: number[] = [];
    for (let i = 0; i < 5; i++) {
      const socket = FakeWebSocket.latest();
      socket.serverCloses(1006);
      const status = client.status.get();
      if (status.kind !== 'reconnecting') {
        throw new Error(`expected reconnecting, got ${status.kind}`);
      }
      delays.push(status.delayMs);
      const before = FakeWebSocket.instances.length;
      vi.advanceTimersByTime(status.delayMs - 1);
      expect(FakeWebSocket.instances.length).toBe(before);
      vi.advanceTimersByTime(1);
      expect(FakeWebSocket.instances.length).toBe(before + 1);
      expect(client.status.get()).toEqual({ kind: 'connecting', attempt: i + 1 });
    }
    expect(delays).toEqual([100, 200, 400, 500, 500]);

    FakeWebSocket.latest().serverOpens();
    expect(client.status.get()).toEqual({ kind: 'open', session: 2 });
    FakeWebSocket.latest().serverCloses(1001);
    expect(client.status.get()).toEqual({ kind: 'reconnecting', attempt: 1, delayMs: 100 });
  });

  it('sends calls made during a drop once it reconnects', async () => {
    const client = makeClient();
    FakeWebSocket.latest().serverOpens();
    FakeWebSocket.latest().serverCloses(1006);
    const call = client.call('boards:list', {});
    vi.advanceTimersByTime(250);
    const socket = FakeWebSocket.latest();
    socket.serverOpens();
    expect(socket.sent).toEqual([{ type: 'call', id: 1, method: 'boards:list', input: {} }]);
    socket.serverSends({ type: 'result', id: 1, result: { ok: true, value: { boards: [] } } });
    await expect(call).resolves.toEqual({ ok: true, value: { boards: [] } });
  });

  it('ignores a socket it has already replaced', () => {
    const client = makeClient();
    const old = FakeWebSocket.latest();
    old.serverOpens();
    const onclose = old.onclose;
    const onmessage = old.onmessage;
    old.serverCloses(1006);
    vi.advanceTimersByTime(250);
    FakeWebSocket.latest().serverOpens();
    const seen: unknown[] = [];
    client.on('engine:state', (payload) => seen.push(payload));

    // A late callback of the old socket, captured before the client let go of it.
    onmessage?.({ data: JSON.stringify({ type: 'event', event: 'engine:state', payload: {} }) });
    onclose?.({ code: 1006, reason: '' });
    expect(seen).toEqual([]);
    expect(client.status.get()).toEqual({ kind: 'open', session: 2 });
  });

  it('stops for good when the server refuses the token (close code 4401)', async () => {
    const client = makeClient();
    const socket = FakeWebSocket.latest();
    const held = client.call('app:health', {});
    socket.serverCloses(4401, 'unauthorized');

    expect(client.status.get()).toEqual({ kind: 'unauthorized' });
    const result = await held;
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.error.code).toBe('unauthorized');
      expect(result.error.message).toMatch(/no valid access token/);
    }
    vi.advanceTimersByTime(60_000);
    expect(FakeWebSocket.instances).toHaveLength(1);
    await expect(client.call('boards:list', {})).resolves.toMatchObject({
      ok: false,
      error: { code: 'unauthorized' },
    });
  });

  it('close() closes the socket, fails pending calls and does not reconnect', async () => {
    const client = makeClient();
    const socket = FakeWebSocket.latest();
    socket.serverOpens();
    const call = client.call('boards:list', {});
    client.close();

    expect(socket.closedWith).toEqual({ code: 1000, reason: 'client closed' });
    expect(client.status.get()).toEqual({ kind: 'closed' });
    await expect(call).resolves.toMatchObject({ ok: false, error: { detail: { transport: 'closed' } } });
    vi.advanceTimersByTime(60_000);
    expect(FakeWebSocket.instances).toHaveLength(1);
  });

  it('a failed first connection retries rather than giving up', () => {
    const client = makeClient();
    FakeWebSocket.latest().serverCloses(1006);
    expect(client.status.get()).toEqual({ kind: 'reconnecting', attempt: 1, delayMs: 250 });
    vi.advanceTimersByTime(250);
    expect(FakeWebSocket.instances).toHaveLength(2);
  });
});

describe('WebSocketStudioClient access check', () => {
  it('asks checkAccess after a connection that never opened, and stops when the token is refused', async () => {
    let answer: (verdict: 'accepted' | 'refused' | 'unknown') => void = () => undefined;
    const checkAccess = vi.fn(() => new Promise<'accepted' | 'refused' | 'unknown'>((resolve) => (answer = resolve)));
    const client = makeClient({ checkAccess });
    const held = client.call('boards:list', {});
    FakeWebSocket.latest().serverCloses(1006);
    expect(checkAccess).toHaveBeenCalledTimes(1);
    expect(client.status.get().kind).toBe('reconnecting');

    vi.advanceTimersByTime(250);
    const retry = FakeWebSocket.latest();
    expect(FakeWebSocket.instances).toHaveLength(2);
    answer('refused');
    await flush();

    expect(client.status.get()).toEqual({ kind: 'unauthorized' });
    expect(retry.closedWith).toEqual({ code: 1000, reason: 'access token refused' });
    await expect(held).resolves.toMatchObject({ ok: false, error: { code: 'unauthorized' } });
    vi.advanceTimersByTime(60_000);
    expect(FakeWebSocket.instances).toHaveLength(2);
  });

  it('keeps reconnecting when the check cannot tell (server down) or accepts the token', async () => {
    const checkAccess = vi.fn(async () => 'unknown' as const);
    const client = makeClient({ checkAccess });
    FakeWebSocket.latest().serverCloses(1006);
    await flush();
    expect(client.status.get().kind).toBe('reconnecting');
    vi.advanceTimersByTime(250);
    FakeWebSocket.latest().serverOpens();
    expect(client.status.get()).toEqual({ kind: 'open', session: 1 });
  });

  it('does not ask after a drop of a connection that had opened', () => {
    const checkAccess = vi.fn(async () => 'refused' as const);
    makeClient({ checkAccess });
    FakeWebSocket.latest().serverOpens();
    FakeWebSocket.latest().serverCloses(1006);
    expect(checkAccess).not.toHaveBeenCalled();
  });
});
