import type { EngineSupervisor } from '../engine/supervisor/engine-supervisor';
import type { Library } from '../library/library';
import type { EventBus } from './event-bus';
import type { StudioServices } from './router';
import { StudioFailure } from './studio-failure';

type GenerationsService = Pick<
  StudioServices,
  'generations:enqueue' | 'generations:get' | 'generations:list' | 'generations:cancel'
>;

/** The marker a prompt uses for each reference image (the tokenizer's special token, BUNDLE.md). */
const imageMarker = '<image>';

/**
 * The generation queue as the contract shows it. Enqueue checks what can be checked at once (the model,
 * the board, the references, markers against images, the image part of the prompt budget) so the user
 * hears about it when pressing Generate; the worker checks the full token budget when the job runs.
 */
export function createGenerationsService(
  library: Pick<Library, 'generations' | 'models' | 'assets' | 'boards'>,
  supervisor: Pick<EngineSupervisor, 'kick' | 'cancel'>,
  events: EventBus,
  engineVersion: string,
): GenerationsService {
  return {
    'generations:enqueue': (input) => {
      const model = library.models.get(input.modelId);
      if (input.boardId !== undefined && input.boardId !== null) {
        library.boards.get(input.boardId);
      }
      input.references.forEach((sha256, index) => {
        if (!library.assets.has(sha256)) {
          throw new StudioFailure('not_found', `Reference image ${index + 1} (${sha256}) is not in the library; import it first`);
        }
      });
      const markers = input.prompt.split(imageMarker).length - 1;
      if (markers !== input.references.length) {
        throw new StudioFailure(
          'prompt_invalid',
          `The prompt has ${count(markers, `${imageMarker} marker`)} but ${count(input.references.length, 'reference image')} ` +
            `${input.references.length === 1 ? 'was' : 'were'} given; write one ${imageMarker} for each reference, in order`,
        );
      }
      const imageTokens = markers * model.tokensPerImage;
      // At least one text token (the closing `</s>`) must fit beside the images.
      if (imageTokens + 1 > model.prefixLength) {
        throw new StudioFailure(
          'prompt_invalid',
          `${count(markers, 'reference image')} take ${imageTokens} of the ${model.prefixLength} prompt tokens ` +
            `${model.name} allows (${model.tokensPerImage} each), leaving none for the text; use fewer references`,
        );
      }
      const { batchId, generations } = library.generations.enqueue({
        modelId: model.id,
        boardId: input.boardId ?? null,
        prompt: input.prompt,
        references: input.references,
        seed: input.seed,
        count: input.count,
        params: { ...model.sampling, ...stripUndefined(input.params ?? {}) },
        bundleSha256: model.bundleSha256,
        engineVersion,
      });
      events.emit('generation:state', { batchId, status: 'queued', error: null, generationIds: generations.map((row) => row.id) });
      supervisor.kick();
      return { batchId, generations };
    },

    'generations:get': ({ id }) => library.generations.get(id),

    'generations:list': ({ statuses, limit }) => ({ generations: library.generations.list({ statuses, limit }) }),

    'generations:cancel': ({ batchId }) => ({ cancelled: supervisor.cancel(batchId) }),
  };
}

function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}

function stripUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, field]) => field !== undefined)) as Partial<T>;
}
