import type { ModelsRepository } from '../library/models-repository';
import type { StudioServices } from './router';

type ModelsService = Pick<StudioServices, 'models:list' | 'models:import'>;

/** Model bundles: import validates the folder (manifest, every file's sha256) before adding it. */
export function createModelsService(models: ModelsRepository): ModelsService {
  return {
    'models:list': () => ({ models: models.list() }),
    'models:import': ({ path }) => models.import(path),
  };
}
