/**
 * What the UI talks to: one interface over both transports (Electron IPC via `window.studio`, and
 * the WebSocket of `npm run serve`). Components never see which one carries a call.
 */
import type {
  EventName,
  EventPayload,
  MethodInput,
  MethodName,
  MethodOutput,
  Result,
  StudioError,
} from '../../preload/contract';

/**
 * The state of the link to main. Electron's link is always `open`; the WebSocket one moves between
 * all of them. `session` counts successful connections, so state can be re-read after a reconnect
 * (events sent while the link was down are lost).
 */
export type ConnectionStatus =
  | { kind: 'connecting'; attempt: number }
  | { kind: 'open'; session: number }
  | { kind: 'reconnecting'; attempt: number; delayMs: number }
  /** The server refused the access token; the client has stopped for good. */
  | { kind: 'unauthorized' }
  /** `close()` was called. */
  | { kind: 'closed' };

/** A value that changes over time; shaped for React's `useSyncExternalStore`. */
export interface Observable<T> {
  get(): T;
  subscribe(listener: () => void): () => void;
}

export interface StudioClient {
  readonly transport: 'electron' | 'websocket';
  /** Never rejects: transport failures come back as `{ ok: false }` like any other error. */
  call<M extends MethodName>(method: M, input: MethodInput<M>): Promise<Result<MethodOutput<M>>>;
  /** Returns the function that unsubscribes. */
  on<E extends EventName>(event: E, listener: (payload: EventPayload<E>) => void): () => void;
  readonly status: Observable<ConnectionStatus>;
  /**
   * Where an `<img>` loads a library image: `/api/assets/<sha256>` on the page's own origin (the
   * serve transport adds the token; Electron's `mentor-studio://app/` protocol serves the same path).
   * `size` asks for a thumbnail whose longer side is at most that many pixels.
   */
  assetUrl(sha256: string, size?: number): string;
  close(): void;
}

/** The asset path both transports serve; `extra` are more query parameters (the serve token). */
export function assetPath(sha256: string, size: number | undefined, extra: Record<string, string> = {}): string {
  const query = new URLSearchParams(extra);
  if (size !== undefined) {
    query.set('size', String(Math.round(size)));
  }
  const search = query.toString();
  return `/api/assets/${sha256}${search === '' ? '' : `?${search}`}`;
}

export class ObservableValue<T> implements Observable<T> {
  #value: T;
  readonly #listeners = new Set<() => void>();

  constructor(initial: T) {
    this.#value = initial;
  }

  get(): T {
    return this.#value;
  }

  set(value: T): void {
    this.#value = value;
    for (const listener of [...this.#listeners]) {
      listener();
    }
  }

  subscribe(listener: () => void): () => void {
    this.#listeners.add(listener);
    return () => {
      this.#listeners.delete(listener);
    };
  }
}

type AnyListener = (payload: never) => void;

/** Listeners by event name. A listener that throws does not stop the others. */
export class EventHub {
  readonly #listeners = new Map<EventName, Set<AnyListener>>();

  on<E extends EventName>(event: E, listener: (payload: EventPayload<E>) => void): () => void {
    let set = this.#listeners.get(event);
    if (!set) {
      set = new Set();
      this.#listeners.set(event, set);
    }
    const entry = listener as AnyListener;
    set.add(entry);
    return () => {
      set.delete(entry);
    };
  }

  emit(event: EventName, payload: unknown): void {
    const set = this.#listeners.get(event);
    if (!set) {
      return;
    }
    for (const listener of [...set]) {
      try {
        (listener as (payload: unknown) => void)(payload);
      } catch (error) {
        console.error(`A listener for ${event} failed`, error);
      }
    }
  }
}

/** Why a call failed without reaching main; the error code is `unreachable`, the reason in `detail.transport`. */
export type TransportFailure = 'disconnected' | 'timeout' | 'closed' | 'bridge';

export function transportError(message: string, failure: TransportFailure): StudioError {
  return { code: 'unreachable', message, detail: { transport: failure } };
}

export function failed(error: StudioError): { ok: false; error: StudioError } {
  return { ok: false, error };
}
