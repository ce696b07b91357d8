import type { PresetsRepository } from '../library/presets-repository';
import type { StudioServices } from './router';

type PresetsService = Pick<StudioServices, 'presets:list' | 'presets:save' | 'presets:delete'>;

/** Named presets of the parameters panel. One window at a time edits them, so no event is sent. */
export function createPresetsService(presets: PresetsRepository): PresetsService {
  return {
    'presets:list': () => ({ presets: presets.list() }),
    'presets:save': ({ name, params }) => presets.save(name, params),
    'presets:delete': ({ name }) => {
      presets.remove(name);
      return { name: name.trim() };
    },
  };
}
