/** Picks the transport: the Electron bridge when the preload put one on `window`, else the WebSocket. */
import { httpAccessCheck, takeAccessToken, type TokenScope } from './access-token';
import { ElectronStudioClient, findElectronBridge } from './electron-client';
import type { StudioClient } from './studio-client';
import { studioWebSocketUrl, WebSocketStudioClient, type WebSocketClientOptions } from './websocket-client';

export type ClientChoice = { kind: 'client'; client: StudioClient } | { kind: 'no-access-token' };

/** The parts of `window` this needs; tests pass a plain object. */
export interface ClientScope extends TokenScope {
  location: TokenScope['location'] & Pick<Location, 'protocol' | 'host'>;
  fetch?: typeof fetch;
}

export function createStudioClient(scope: ClientScope, options: Partial<WebSocketClientOptions> = {}): ClientChoice {
  const bridge = findElectronBridge(scope);
  if (bridge) {
    return { kind: 'client', client: new ElectronStudioClient(bridge) };
  }
  const token = takeAccessToken(scope);
  if (!token) {
    return { kind: 'no-access-token' };
  }
  const fetchImpl = scope.fetch;
  const checkAccess = fetchImpl ? httpAccessCheck(fetchImpl.bind(globalThis), token) : null;
  return {
    kind: 'client',
    client: new WebSocketStudioClient(studioWebSocketUrl(scope.location, token), { checkAccess, ...options }),
  };
}
