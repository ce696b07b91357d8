import { utilityProcess } from 'electron';
import type { WorkerExit, WorkerLauncher } from '../engine/supervisor/worker-process';

/**
 * The engine worker under Electron: a `utilityProcess` (design.md §2). `child_process.fork` would
 * need ELECTRON_RUN_AS_NODE, which release builds switch off with the RunAsNode fuse.
 */
export function utilityWorker(entry: string): WorkerLauncher {
  return () => {
    const child = utilityProcess.fork(entry, [], { serviceName: 'MENTOR Studio engine', stdio: ['ignore', 'ignore', 'inherit'] });
    let exited: WorkerExit | null = null;
    const waiting: ((exit: WorkerExit) => void)[] = [];
    child.once('exit', (code) => {
      exited = { code, signal: null };
      for (const listener of waiting) {
        listener(exited);
      }
    });
    return {
      get pid() {
        return child.pid;
      },
      send(message) {
        if (exited === null) {
          child.postMessage(message);
        }
      },
      onMessage(listener) {
        child.on('message', listener);
      },
      onExit(listener) {
        if (exited !== null) {
          listener(exited);
        } else {
          waiting.push(listener);
        }
      },
      kill() {
        child.kill();
      },
    };
  };
}
