/**
 * The `npm run serve` transport: one WebSocket to `/api/ws`, calls matched to results by id,
 * events fanned out to listeners, reconnect with exponential backoff.
 *
 * Delivery rules:
 * - A call made while the socket is down waits for the next connection, up to `callWaitTimeoutMs`,
 *   then fails with a message that says so.
 * - A call already sent when the socket drops fails at once and is not sent again: main may have
 *   done it already (creating a board twice is worse than asking the user to check).
 * - A close with code 4401 means the token was refused: every call fails and the client stops.
 *   A server may instead refuse the handshake itself (HTTP 401); the browser reports that as a
 *   plain 1006 close, indistinguishable from "server down", so after a connection that never
 *   opened the client asks `checkAccess` (an HTTP request with the token) which one it was.
 */
import { isEventName, StudioError } from '../../preload/contract';
import type {
  EventName,
  EventPayload,
  MethodInput,
  MethodName,
  MethodOutput,
  Result,
  WireCall,
} from '../../preload/contract';
import {
  assetPath,
  EventHub,
  failed,
  ObservableValue,
  transportError,
  type ConnectionStatus,
  type StudioClient,
} from './studio-client';

/** The close code the server uses when the access token is missing or wrong. */
export const unauthorizedCloseCode = 4401;

/** The part of the browser's `WebSocket` this client uses; tests pass a fake class. */
export interface WebSocketLike {
  onopen: ((event: unknown) => void) | null;
  onclose: ((event: { code: number; reason: string }) => void) | null;
  onmessage: ((event: { data: unknown }) => void) | null;
  onerror: ((event: unknown) => void) | null;
  send(data: string): void;
  close(code?: number, reason?: string): void;
}

export type WebSocketConstructor = new (url: string) => WebSocketLike;

/** `refused`: the server said the token is wrong; `unknown`: no answer (e.g. the server is down). */
export type AccessVerdict = 'accepted' | 'refused' | 'unknown';

export interface WebSocketClientOptions {
  /** First reconnect delay; doubles (times `reconnectFactor`) per failed attempt. */
  reconnectInitialDelayMs: number;
  reconnectMaxDelayMs: number;
  reconnectFactor: number;
  /** How long a call made while disconnected waits for a connection before it fails. */
  callWaitTimeoutMs: number;
  /** Defaults to the browser's `WebSocket`. */
  socketClass: WebSocketConstructor | null;
  /** Asked after a connection that never opened; null skips the question. */
  checkAccess: (() => Promise<AccessVerdict>) | null;
}

export const defaultWebSocketClientOptions = {
  reconnectInitialDelayMs: 250,
  reconnectMaxDelayMs: 5_000,
  reconnectFactor: 2,
  callWaitTimeoutMs: 15_000,
  socketClass: null,
  checkAccess: null,
} as const satisfies WebSocketClientOptions;

/** `ws://host/api/ws?token=…` (or `wss:` when the page itself came over https). */
export function studioWebSocketUrl(location: Pick<Location, 'protocol' | 'host'>, token: string): string {
  const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
  return `${scheme}://${location.host}/api/ws?token=${encodeURIComponent(token)}`;
}

type Settle = (result: Result<unknown>) => void;

interface WaitingCall {
  message: WireCall;
  settle: Settle;
  timer: ReturnType<typeof setTimeout>;
}

const unauthorizedMessage =
  'This studio link has no valid access token. Open the link that `npm run serve` printed.';

export class WebSocketStudioClient implements StudioClient {
  readonly transport = 'websocket';
  readonly status = new ObservableValue<ConnectionStatus>({ kind: 'connecting', attempt: 0 });

  readonly #url: string;
  /** `<img>` cannot send headers, so image URLs carry the token like the socket URL does. */
  readonly #token: string;
  readonly #options: WebSocketClientOptions;
  readonly #socketClass: WebSocketConstructor;
  readonly #events = new EventHub();
  /** Sent, waiting for their result. */
  readonly #inFlight = new Map<number, Settle>();
  /** Not sent yet: made while the socket was down. */
  #waiting: WaitingCall[] = [];
  #socket: WebSocketLike | null = null;
  #open = false;
  #nextId = 1;
  #attempt = 0;
  #session = 0;
  #reconnectTimer: ReturnType<typeof setTimeout> | null = null;
  /** Set once the client will never connect again. */
  #stopped: 'unauthorized' | 'closed' | null = null;

  constructor(url: string, options: Partial<WebSocketClientOptions> = {}) {
    this.#url = url;
    this.#token = new URL(url).searchParams.get('token') ?? '';
    this.#options = { ...defaultWebSocketClientOptions, ...options };
    const socketClass = this.#options.socketClass ?? browserWebSocket();
    if (!socketClass) {
      throw new Error('This browser has no WebSocket');
    }
    this.#socketClass = socketClass;
    this.#connect();
  }

  assetUrl(sha256: string, size?: number): string {
    return assetPath(sha256, size, { token: this.#token });
  }

  call<M extends MethodName>(method: M, input: MethodInput<M>): Promise<Result<MethodOutput<M>>> {
    return new Promise<Result<unknown>>((settle) => {
      if (this.#stopped) {
        settle(failed(this.#stoppedError()));
        return;
      }
      const message: WireCall = { type: 'call', id: this.#nextId++, method, input };
      if (this.#open) {
        this.#send(message, settle);
        return;
      }
      const timer = setTimeout(() => {
        this.#waiting = this.#waiting.filter((call) => call.message.id !== message.id);
        const seconds = Math.round(this.#options.callWaitTimeoutMs / 1000);
        settle(
          failed(
            transportError(
              `The studio server is not reachable (waited ${seconds} s to send ${method}). Is \`npm run serve\` still running?`,
              'timeout',
            ),
          ),
        );
      }, this.#options.callWaitTimeoutMs);
      this.#waiting.push({ message, settle, timer });
    }) as Promise<Result<MethodOutput<M>>>;
  }

  on<E extends EventName>(event: E, listener: (payload: EventPayload<E>) => void): () => void {
    return this.#events.on(event, listener);
  }

  close(): void {
    if (this.#stopped) {
      return;
    }
    this.#stopped = 'closed';
    this.#clearReconnect();
    const socket = this.#socket;
    this.#detach();
    socket?.close(1000, 'client closed');
    this.#failAll(this.#stoppedError());
    this.status.set({ kind: 'closed' });
  }

  #connect(): void {
    this.#reconnectTimer = null;
    this.status.set({ kind: 'connecting', attempt: this.#attempt });
    let socket: WebSocketLike;
    try {
      socket = new this.#socketClass(this.#url);
    } catch {
      // Thrown for a URL the browser refuses (bad syntax, or blocked by the page's CSP). Treat it
      // like a dropped connection: the status shows "reconnecting" instead of a dead page.
      this.#scheduleReconnect();
      return;
    }
    this.#socket = socket;
    socket.onopen = () => this.#handleOpen(socket);
    socket.onclose = (event) => this.#handleClose(socket, event.code);
    socket.onmessage = (event) => this.#handleMessage(socket, event.data);
    // An error is always followed by a close; the close does the work.
    socket.onerror = () => undefined;
  }

  #handleOpen(socket: WebSocketLike): void {
    if (socket !== this.#socket) {
      return;
    }
    this.#open = true;
    this.#attempt = 0;
    this.#session += 1;
    this.status.set({ kind: 'open', session: this.#session });
    const waiting = this.#waiting;
    this.#waiting = [];
    for (const call of waiting) {
      clearTimeout(call.timer);
      this.#send(call.message, call.settle);
    }
  }

  #handleClose(socket: WebSocketLike, code: number): void {
    if (socket !== this.#socket) {
      return;
    }
    const neverOpened = !this.#open;
    this.#detach();
    this.#failInFlight(
      transportError(
        'The connection to the studio dropped before it answered. The action may or may not have happened; check before trying again.',
        'disconnected',
      ),
    );
    if (code === unauthorizedCloseCode) {
      this.#refuse();
      return;
    }
    if (this.#stopped) {
      return;
    }
    this.#scheduleReconnect();
    if (neverOpened && this.#options.checkAccess) {
      void this.#options.checkAccess().then(
        (verdict) => {
          if (verdict === 'refused') {
            this.#refuse();
          }
        },
        () => undefined,
      );
    }
  }

  /** The token was refused: stop for good. */
  #refuse(): void {
    if (this.#stopped) {
      return;
    }
    this.#clearReconnect();
    const socket = this.#socket;
    this.#detach();
    socket?.close(1000, 'access token refused');
    this.#stopped = 'unauthorized';
    this.#failAll(this.#stoppedError());
    this.status.set({ kind: 'unauthorized' });
  }

  #handleMessage(socket: WebSocketLike, data: unknown): void {
    if (socket !== this.#socket || typeof data !== 'string') {
      return;
    }
    let message: unknown;
    try {
      message = JSON.parse(data);
    } catch {
      console.error('The studio server sent a message that is not JSON');
      return;
    }
    if (!isRecord(message)) {
      return;
    }
    if (message.type === 'result' && typeof message.id === 'number') {
      const settle = this.#inFlight.get(message.id);
      if (settle) {
        this.#inFlight.delete(message.id);
        settle(readResult(message.result));
      }
      return;
    }
    if (message.type === 'event' && typeof message.event === 'string' && isEventName(message.event)) {
      this.#events.emit(message.event, message.payload);
    }
  }

  #send(message: WireCall, settle: Settle): void {
    const socket = this.#socket;
    if (!socket) {
      settle(failed(transportError('The studio server is not connected.', 'disconnected')));
      return;
    }
    this.#inFlight.set(message.id, settle);
    try {
      socket.send(JSON.stringify(message));
    } catch {
      this.#inFlight.delete(message.id);
      settle(failed(transportError(`Could not send ${message.method} to the studio server.`, 'disconnected')));
    }
  }

  #scheduleReconnect(): void {
    const { reconnectInitialDelayMs, reconnectFactor, reconnectMaxDelayMs } = this.#options;
    const delayMs = Math.min(reconnectMaxDelayMs, reconnectInitialDelayMs * reconnectFactor ** this.#attempt);
    this.#attempt += 1;
    this.status.set({ kind: 'reconnecting', attempt: this.#attempt, delayMs });
    this.#reconnectTimer = setTimeout(() => this.#connect(), delayMs);
  }

  #clearReconnect(): void {
    if (this.#reconnectTimer !== null) {
      clearTimeout(this.#reconnectTimer);
      this.#reconnectTimer = null;
    }
  }

  #detach(): void {
    const socket = this.#socket;
    if (socket) {
      socket.onopen = null;
      socket.onclose = null;
      socket.onmessage = null;
      socket.onerror = null;
    }
    this.#socket = null;
    this.#open = false;
  }

  #failInFlight(error: StudioError): void {
    const inFlight = [...this.#inFlight.values()];
    this.#inFlight.clear();
    for (const settle of inFlight) {
      settle(failed(error));
    }
  }

  #failAll(error: StudioError): void {
    this.#failInFlight(error);
    const waiting = this.#waiting;
    this.#waiting = [];
    for (const call of waiting) {
      clearTimeout(call.timer);
      call.settle(failed(error));
    }
  }

  #stoppedError(): StudioError {
    return this.#stopped === 'unauthorized'
      ? { code: 'unauthorized', message: unauthorizedMessage }
      : transportError('The connection to the studio was closed.', 'closed');
  }
}

function browserWebSocket(): WebSocketConstructor | null {
  // The DOM's handler types name DOM event classes; this client reads only `code` and `data`.
  const ctor = (globalThis as { WebSocket?: unknown }).WebSocket;
  return typeof ctor === 'function' ? (ctor as WebSocketConstructor) : null;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Checks the envelope only; main has already checked the value against the method's output schema. */
function readResult(result: unknown): Result<unknown> {
  if (isRecord(result)) {
    if (result.ok === true && 'value' in result) {
      return { ok: true, value: result.value };
    }
    if (result.ok === false) {
      const error = StudioError.safeParse(result.error);
      if (error.success) {
        return { ok: false, error: error.data };
      }
    }
  }
  return failed({ code: 'internal', message: 'The studio server sent an answer this window cannot read.' });
}
