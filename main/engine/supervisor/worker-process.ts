import { fork } from 'node:child_process';
import type { ToWorker } from '../worker/messages';

export type WorkerExit = { code: number | null; signal: string | null };

/**
 * The supervisor's handle on one engine worker process. `forkWorker` makes one with
 * `child_process.fork` (plain Node: `serve`, tests); Electron main passes a launcher built on
 * `utilityProcess.fork` (it may import 'electron', this folder may not).
 */
export type WorkerProcess = {
  readonly pid: number | undefined;
  /** Drops the message when the process is gone (its exit is reported through `onExit`). */
  send(message: ToWorker): void;
  onMessage(listener: (message: unknown) => void): void;
  /** Called once, when the process has ended or could not start. */
  onExit(listener: (exit: WorkerExit) => void): void;
  kill(signal?: NodeJS.Signals): void;
};

export type WorkerLauncher = () => WorkerProcess;

export type ForkWorkerOptions = {
  /** Extra environment for the worker (on top of this process's). */
  env?: NodeJS.ProcessEnv;
};

/**
 * Starts `entry` (the built engine-worker.cjs) with `child_process.fork`. stdout is dropped (serve's
 * stdout carries its one link line); stderr is shared so a native crash report reaches the log.
 */
export function forkWorker(entry: string, options: ForkWorkerOptions = {}): WorkerLauncher {
  return () => {
    const child = fork(entry, [], {
      stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
      env: { ...process.env, ...options.env },
      serialization: 'json',
    });
    const exitListeners: ((exit: WorkerExit) => void)[] = [];
    let exited: WorkerExit | null = null;
    const reportExit = (exit: WorkerExit): void => {
      if (exited !== null) {
        return;
      }
      exited = exit;
      for (const listener of exitListeners) {
        listener(exit);
      }
    };
    child.once('exit', (code, signal) => reportExit({ code, signal }));
    // A failed spawn emits 'error' and may never emit 'exit'; a send on a closing channel emits 'error'
    // too (EPIPE), and an 'error' without a listener would throw in main.
    child.on('error', () => {
      if (child.pid === undefined) {
        reportExit({ code: null, signal: null });
      }
    });
    return {
      pid: child.pid,
      send(message) {
        if (child.connected) {
          try {
            child.send(message);
          } catch {
            // The channel closed between the check and the send; 'exit' follows.
          }
        }
      },
      onMessage: (listener) => child.on('message', listener),
      onExit(listener) {
        if (exited !== null) {
          listener(exited);
        } else {
          exitListeners.push(listener);
        }
      },
      kill(signal = 'SIGTERM') {
        if (child.exitCode === null && child.signalCode === null) {
          child.kill(signal);
        }
      },
    };
  };
}
