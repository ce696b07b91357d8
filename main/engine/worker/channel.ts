/**
 * How the engine worker talks to its parent. Under plain Node (`serve`, tests) the worker is a
 * `child_process.fork` child and speaks through `process.send` / `process.on('message')`; under Electron
 * it runs as a `utilityProcess` and speaks through `process.parentPort`. The worker's code sees only
 * this interface, so the same file runs under either.
 */

export type WorkerChannel = {
  /** Posts a message to the parent (structured data; the parent validates it). */
  send(message: unknown): void;
  onMessage(listener: (message: unknown) => void): void;
  /** The parent went away (its end of the channel closed): the worker should exit. */
  onDisconnect(listener: () => void): void;
};

/** Electron's `process.parentPort` in a utility process (typed here: main/ must not import 'electron'). */
type ParentPort = {
  postMessage(message: unknown): void;
  on(event: 'message', listener: (event: { data: unknown }) => void): void;
};

/** The channel to whoever started this process, or an error when it was started without one. */
export function parentChannel(proc: NodeJS.Process = process): WorkerChannel {
  const parentPort = (proc as NodeJS.Process & { parentPort?: ParentPort }).parentPort;
  if (parentPort !== undefined) {
    return {
      send: (message) => parentPort.postMessage(message),
      onMessage: (listener) => parentPort.on('message', (event) => listener(event.data)),
      // Electron ends a utility process together with its parent; nothing to watch.
      onDisconnect: () => undefined,
    };
  }
  const send = proc.send?.bind(proc);
  if (send === undefined) {
    throw new Error('The engine worker must be started by the studio (child_process.fork or utilityProcess), not on its own');
  }
  return {
    send: (message) => {
      // A parent that has gone cannot be told anything; the 'disconnect' handler ends this process.
      if (proc.connected) {
        send(message);
      }
    },
    onMessage: (listener) => proc.on('message', listener),
    onDisconnect: (listener) => proc.once('disconnect', listener),
  };
}
