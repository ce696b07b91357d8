/**
 * Builds `window.studio` from the contract: one named function per method, grouped by domain
 * (`studio.boards.create(input)`), and `on(event, listener)`. Electron-free so it can be tested;
 * `preload/index.ts` plugs in `ipcRenderer` and exposes the result with `contextBridge`.
 */
import {
  eventNames,
  ipcChannelPrefix,
  isEventName,
  methodNames,
  splitMethodName,
  type Result,
  type StudioBridge,
} from './contract';

/** Sends one call to main; `ipcRenderer.invoke` in the preload. */
export type Invoke = (channel: string, input: unknown) => Promise<unknown>;

/** Starts receiving all events from main as `(event, payload)`; returns the way to stop. */
export type SubscribeToEvents = (dispatch: (event: unknown, payload: unknown) => void) => () => void;

type EventListener = (payload: unknown) => void;

export function createBridge(invoke: Invoke, subscribeToEvents: SubscribeToEvents): StudioBridge {
  const domains: Record<string, Record<string, (input: unknown) => Promise<Result<unknown>>>> = {};
  for (const method of methodNames) {
    const { domain, verb } = splitMethodName(method);
    if (domain === 'on') {
      throw new Error(`The contract domain "on" would hide studio.on()`);
    }
    const channel = ipcChannelPrefix + method;
    (domains[domain] ??= {})[verb] = (input) => call(invoke, channel, method, input);
  }

  const listeners = new Map<string, Set<EventListener>>();
  let stopReceiving: (() => void) | undefined;

  function dispatch(event: unknown, payload: unknown): void {
    if (typeof event !== 'string' || !isEventName(event)) {
      return;
    }
    for (const listener of [...(listeners.get(event) ?? [])]) {
      try {
        listener(payload);
      } catch (error) {
        console.error(`A listener for ${event} failed`, error);
      }
    }
  }

  function on(event: unknown, listener: unknown): () => void {
    if (typeof event !== 'string' || !isEventName(event)) {
      throw new Error(`Unknown studio event "${String(event)}"; known: ${eventNames.join(', ')}`);
    }
    if (typeof listener !== 'function') {
      throw new TypeError(`studio.on("${event}") needs a listener function`);
    }
    // Wrapped, so that each subscription unsubscribes on its own even for the same function, and
    // the renderer only ever receives the payload (never Electron's IpcRendererEvent).
    const wrapped: EventListener = (payload) => (listener as EventListener)(payload);
    let forEvent = listeners.get(event);
    if (forEvent === undefined) {
      forEvent = new Set();
      listeners.set(event, forEvent);
    }
    forEvent.add(wrapped);
    stopReceiving ??= subscribeToEvents(dispatch);

    let subscribed = true;
    return () => {
      if (!subscribed) {
        return;
      }
      subscribed = false;
      forEvent.delete(wrapped);
      if (forEvent.size === 0) {
        listeners.delete(event);
      }
      if (listeners.size === 0 && stopReceiving !== undefined) {
        stopReceiving();
        stopReceiving = undefined;
      }
    };
  }

  return { ...domains, on } as unknown as StudioBridge;
}

/** Errors cross as data, also when the IPC itself fails (e.g. main has no handler any more). */
async function call(invoke: Invoke, channel: string, method: string, input: unknown): Promise<Result<unknown>> {
  try {
    return (await invoke(channel, input)) as Result<unknown>;
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    return { ok: false, error: { code: 'unreachable', message: `${method} could not reach the studio: ${reason}` } };
  }
}
