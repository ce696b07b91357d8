import type { ImportProgress, ModelsRepository } from '../library/models-repository';
import type { EventBus } from './event-bus';
import type { StudioServices } from './router';

type ModelsService = Pick<StudioServices, 'models:list' | 'models:import' | 'models:remove'>;

export type ModelsServiceOptions = {
  /** Least time between two `models:import-progress` events of one import; the first and last always go. */
  progressIntervalMs?: number;
  now?: () => number;
};

/**
 * Model bundles: import validates the folder (manifest, every file's sha256) before adding it. Hashing
 * a real bundle reads gigabytes, so the import reports how far it is, a few times a second.
 */
export function createModelsService(models: ModelsRepository, events: EventBus, options: ModelsServiceOptions = {}): ModelsService {
  const interval = options.progressIntervalMs ?? 100;
  const now = options.now ?? Date.now;
  return {
    'models:list': () => ({ models: models.list() }),
    'models:import': async ({ path }) => {
      let lastTime = -Infinity;
      let lastDone = -1;
      const report = (progress: ImportProgress): void => {
        const time = now();
        const finished = progress.doneBytes >= progress.totalBytes;
        if (progress.doneBytes === lastDone || (time - lastTime < interval && !finished)) {
          return;
        }
        lastTime = time;
        lastDone = progress.doneBytes;
        events.emit('models:import-progress', { path, ...progress });
      };
      const model = await models.import(path, report);
      events.emit('models:changed', { modelId: model.id, change: 'imported' });
      return model;
    },
    'models:remove': ({ id }) => {
      models.remove(id);
      events.emit('models:changed', { modelId: id, change: 'removed' });
      return { id };
    },
  };
}
