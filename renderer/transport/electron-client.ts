/** The Electron transport: `window.studio`, the bridge the preload exposes (one function per method). */
import { splitMethodName } from '../../preload/contract';
import type {
  EventName,
  EventPayload,
  MethodInput,
  MethodName,
  MethodOutput,
  Result,
  StudioBridge,
} from '../../preload/contract';
import {
  assetPath,
  failed,
  ObservableValue,
  transportError,
  type ConnectionStatus,
  type StudioClient,
} from './studio-client';

type BridgeFunction = (input: unknown) => Promise<Result<unknown>>;

export class ElectronStudioClient implements StudioClient {
  readonly transport = 'electron';
  /** IPC has no connection to lose: the page and main live and die together. */
  readonly status = new ObservableValue<ConnectionStatus>({ kind: 'open', session: 1 });
  readonly #bridge: StudioBridge;

  constructor(bridge: StudioBridge) {
    this.#bridge = bridge;
  }

  /** Same-origin path: the `mentor-studio://app/` protocol handler serves library images under it. */
  assetUrl(sha256: string, size?: number): string {
    return assetPath(sha256, size);
  }

  async call<M extends MethodName>(method: M, input: MethodInput<M>): Promise<Result<MethodOutput<M>>> {
    const { domain, verb } = splitMethodName(method);
    // The bridge's type is a mapped type over every method; indexing it by a runtime name needs
    // this one widening.
    const groups = this.#bridge as unknown as Record<string, Record<string, BridgeFunction | undefined> | undefined>;
    const fn = groups[domain]?.[verb];
    if (typeof fn !== 'function') {
      return failed({
        code: 'unknown_method',
        message: `This window's preload does not offer ${method}; restart the studio after an update.`,
      });
    }
    try {
      return (await fn(input)) as Result<MethodOutput<M>>;
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      return failed(transportError(`The call ${method} did not reach the studio: ${reason}`, 'bridge'));
    }
  }

  on<E extends EventName>(event: E, listener: (payload: EventPayload<E>) => void): () => void {
    return this.#bridge.on(event, listener);
  }

  close(): void {
    this.status.set({ kind: 'closed' });
  }
}

/** `window.studio` when the page runs inside the studio's Electron window, otherwise null. */
export function findElectronBridge(scope: object): StudioBridge | null {
  const bridge = (scope as { studio?: StudioBridge }).studio;
  return bridge ?? null;
}
