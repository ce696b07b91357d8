import type { EngineSupervisor } from '../engine/supervisor/engine-supervisor';
import type { Library } from '../library/library';
import type { EventBus } from './event-bus';
import type { StudioServices } from './router';

type QueueService = Pick<StudioServices, 'queue:get' | 'queue:pause' | 'queue:resume'>;

/**
 * The queue panel: what runs, what waits and in which order, what was interrupted, and pause/resume.
 * The supervisor keeps the paused state in the library (it survives a restart); every change is
 * announced as `queue:changed` so each window re-reads `queue:get`.
 */
export function createQueueService(
  library: Pick<Library, 'generations'>,
  supervisor: Pick<EngineSupervisor, 'isPaused' | 'setPaused'>,
  events: EventBus,
): QueueService {
  const setPaused = (paused: boolean): { paused: boolean } => {
    const changed = supervisor.isPaused() !== paused;
    supervisor.setPaused(paused);
    if (changed) {
      events.emit('queue:changed', { paused });
    }
    return { paused };
  };

  return {
    'queue:get': () => ({ paused: supervisor.isPaused(), generations: library.generations.queue() }),
    'queue:pause': () => setPaused(true),
    'queue:resume': () => setPaused(false),
  };
}
