import { beforeEach, describe, expect, it } from 'vitest';
import type { StudioBridge } from '../../preload/contract';
import { createStudioClient, type ClientScope } from './create-client';
import { ElectronStudioClient } from './electron-client';
import { FakeWebSocket } from './fake-websocket.test-helper';
import { WebSocketStudioClient } from './websocket-client';

function browserScope(hash: string, extra: object = {}): ClientScope {
  return {
    location: { hash, pathname: '/', search: '', protocol: 'http:', host: '127.0.0.1:4173' },
    history: { replaceState: () => undefined, state: null },
    sessionStorage: { getItem: () => null, setItem: () => undefined },
    ...extra,
  };
}

beforeEach(() => FakeWebSocket.reset());

describe('createStudioClient', () => {
  it('uses the Electron bridge when the preload exposed one', () => {
    const studio = { on: () => () => undefined } as unknown as StudioBridge;
    const choice = createStudioClient({ ...browserScope(''), studio } as ClientScope);
    expect(choice.kind === 'client' && choice.client).toBeInstanceOf(ElectronStudioClient);
  });

  it('uses the WebSocket with the token from the link', () => {
    const choice = createStudioClient(browserScope('#token=s3cret'), { socketClass: FakeWebSocket });
    expect(choice.kind === 'client' && choice.client).toBeInstanceOf(WebSocketStudioClient);
    expect(FakeWebSocket.latest().url).toBe('ws://127.0.0.1:4173/api/ws?token=s3cret');
  });

  it('says so when there is no token, without opening a socket', () => {
    expect(createStudioClient(browserScope(''), { socketClass: FakeWebSocket })).toEqual({ kind: 'no-access-token' });
    expect(FakeWebSocket.instances).toHaveLength(0);
  });
});
