import { events, type EventName, type EventPayload } from '../../preload/contract';

export type EventListener = <E extends EventName>(event: E, payload: EventPayload<E>) => void;

/**
 * Fans contract events out to every connected window (IPC) or socket (serve). Payloads are parsed
 * against the contract before they leave, like method results.
 */
export class EventBus {
  private readonly listeners = new Set<EventListener>();

  emit<E extends EventName>(event: E, payload: EventPayload<E>): void {
    const parsed = events[event].parse(payload) as EventPayload<E>;
    for (const listener of this.listeners) {
      listener(event, parsed);
    }
  }

  /** Returns the unsubscribe function; call it when the window or socket goes away. */
  subscribe(listener: EventListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
