/**
 * Electron IPC for the contract: one `ipcMain.handle` channel per method (`studio:boards:create`),
 * each checking its sender before the router validates the payload and runs the method. Events go
 * the other way on one channel, `ipcEventChannel`, as `(event, payload)`.
 *
 * No runtime import of 'electron' here: main passes `ipcMain` and window contents in, tests pass fakes.
 */
import type { IpcMain, IpcMainInvokeEvent } from 'electron';
import { ipcChannelPrefix, ipcEventChannel, methodNames, type Result } from '../../preload/contract';
import type { EventBus } from '../services/event-bus';
import type { Router } from '../services/router';
import type { SenderFrame } from './sender-check';

export type IpcRegistrar = Pick<IpcMain, 'handle' | 'removeHandler'>;

/** Decides whether an IPC message comes from the studio's own page (see `isTrustedSender`). */
export type SenderCheck = (event: IpcMainInvokeEvent) => boolean;

export type IpcHandlerOptions = {
  /** Where refused senders are reported; defaults to `console.warn`. */
  logRefusal?: (message: string) => void;
};

/** Registers every contract method; returns a function that removes them all again. */
export function registerIpcHandlers(
  ipcMain: IpcRegistrar,
  router: Router,
  isTrusted: SenderCheck,
  options: IpcHandlerOptions = {},
): () => void {
  const logRefusal = options.logRefusal ?? ((message) => console.warn(message));
  const channels = methodNames.map((method) => {
    const channel = ipcChannelPrefix + method;
    ipcMain.handle(channel, async (event: IpcMainInvokeEvent, input: unknown): Promise<Result<unknown>> => {
      if (!isTrusted(event)) {
        logRefusal(`Refused ${method} from an untrusted sender (${describeSender(event)})`);
        return {
          ok: false,
          error: { code: 'forbidden_sender', message: `${method} may only be called by the studio's own window` },
        };
      }
      return router.call(method, input);
    });
    return channel;
  });
  return () => {
    for (const channel of channels) {
      ipcMain.removeHandler(channel);
    }
  };
}

/** The part of Electron's `WebContents` that event delivery needs. */
export type EventTarget = {
  readonly mainFrame: SenderFrame;
  send(channel: string, ...args: unknown[]): void;
  isDestroyed(): boolean;
  once(event: 'destroyed', listener: () => void): unknown;
};

/**
 * Forwards every bus event to one window until its contents are destroyed (or the returned function
 * is called). Events are only sent while the window shows a trusted page, so a page that somehow
 * got loaded in our window cannot read the studio's events.
 */
export function forwardEvents(
  bus: Pick<EventBus, 'subscribe'>,
  target: EventTarget,
  isTrustedFrame: (frame: SenderFrame) => boolean,
): () => void {
  const unsubscribe = bus.subscribe((event, payload) => {
    if (target.isDestroyed()) {
      unsubscribe();
      return;
    }
    let trusted = false;
    try {
      trusted = isTrustedFrame(target.mainFrame);
    } catch {
      // The frame went away between the two checks; skip this event.
    }
    if (trusted) {
      target.send(ipcEventChannel, event, payload);
    }
  });
  target.once('destroyed', unsubscribe);
  return unsubscribe;
}

function describeSender(event: IpcMainInvokeEvent): string {
  try {
    const frame = event.senderFrame;
    if (frame === null) {
      return 'no frame';
    }
    return `${frame.parent === null ? 'top frame' : 'subframe'} ${frame.url || '(empty URL)'}`;
  } catch {
    return 'disposed frame';
  }
}
