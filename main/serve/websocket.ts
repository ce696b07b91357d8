import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { WireCall, type WireServerMessage } from '../../preload/contract';
import type { Studio } from '../services/create-studio';
import { describeIssues } from '../services/router';
import { presentedToken, tokenMatches, type AllowedOrigins } from './access';

type SocketOptions = { studio: Studio; token: string; allowed: AllowedOrigins };

/** Largest message a client may send: assets:import carries an image (50 MB limit) base64. */
const maxMessageBytes = 80 * 1024 * 1024;

/**
 * Carries the contract over `/api/ws`. The handshake is refused (plain HTTP 401/403, the socket is
 * never opened) without the right token, from a foreign Origin or for an unknown Host.
 */
export function attachWebSocket(server: Server, options: SocketOptions): { close(): void } {
  const wss = new WebSocketServer({ noServer: true, maxPayload: maxMessageBytes });

  server.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    const path = new URL(request.url ?? '/', 'http://placeholder').pathname;
    if (path !== '/api/ws') {
      return refuse(socket, 404, 'Not Found');
    }
    if (!options.allowed.hostAllowed(request.headers.host) || !options.allowed.originAllowed(request.headers.origin)) {
      return refuse(socket, 403, 'Forbidden');
    }
    if (!tokenMatches(presentedToken(request), options.token)) {
      return refuse(socket, 401, 'Unauthorized');
    }
    wss.handleUpgrade(request, socket, head, (ws) => serveSocket(ws, options.studio));
  });

  return {
    close: () => {
      for (const client of wss.clients) {
        client.terminate();
      }
      wss.close();
    },
  };
}

function serveSocket(ws: WebSocket, studio: Studio): void {
  const send = (message: WireServerMessage): void => {
    if (ws.readyState === ws.OPEN) {
      ws.send(JSON.stringify(message));
    }
  };
  const unsubscribe = studio.events.subscribe((event, payload) => send({ type: 'event', event, payload }));
  ws.on('close', unsubscribe);
  ws.on('error', unsubscribe);
  ws.on('message', (data, isBinary) => {
    void answer(isBinary ? null : data.toString(), studio, send);
  });
}

async function answer(text: string | null, studio: Studio, send: (message: WireServerMessage) => void): Promise<void> {
  let json: unknown;
  try {
    json = text === null ? undefined : JSON.parse(text);
  } catch {
    json = undefined;
  }
  const call = WireCall.safeParse(json);
  if (!call.success) {
    const id = typeof (json as { id?: unknown } | undefined)?.id === 'number' ? (json as { id: number }).id : -1;
    const issues = describeIssues(call.error);
    const message = `Malformed message: ${issues.map((issue) => `${issue.path}: ${issue.message}`).join('; ')}`;
    send({ type: 'result', id, result: { ok: false, error: { code: 'validation_failed', message, detail: { issues } } } });
    return;
  }
  const result = await studio.router.call(call.data.method, call.data.input);
  send({ type: 'result', id: call.data.id, result });
}

function refuse(socket: Duplex, status: number, reason: string): void {
  socket.end(`HTTP/1.1 ${status} ${reason}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
}
