import { countImageMarkers, imagesLeaveNoTextProblem, markerMismatchProblem } from '../engine/prompt/prompt-problems';
import type { EngineSupervisor } from '../engine/supervisor/engine-supervisor';
import type { Library } from '../library/library';
import type { EventBus } from './event-bus';
import type { StudioServices } from './router';
import { StudioFailure } from './studio-failure';

type GenerationsService = Pick<
  StudioServices,
  | 'generations:enqueue'
  | 'generations:get'
  | 'generations:list'
  | 'generations:cancel'
  | 'generations:search'
  | 'generations:rate'
  | 'generations:trash'
  | 'generations:restore'
  | 'generations:rerun'
  | 'generations:resume'
  | 'generations:move'
>;

/**
 * The generation queue and the gallery as the contract shows them. Enqueue checks what can be checked
 * at once (the model, the board and its source items, the references, markers against images, the image
 * part of the prompt budget) so the user hears about it when pressing Generate; the worker checks the
 * full token budget when the job runs. Every change is announced on the event bus, so other windows follow.
 */
export function createGenerationsService(
  library: Pick<Library, 'generations' | 'models' | 'assets' | 'boards' | 'boardItems'>,
  supervisor: Pick<EngineSupervisor, 'kick' | 'cancel' | 'isPaused'>,
  events: EventBus,
  engineVersion: string,
): GenerationsService {
  const announceQueued = (batchId: string, generationIds: string[]): void => {
    events.emit('generation:state', { batchId, status: 'queued', error: null, generationIds });
    supervisor.kick();
  };

  /** A board to place results on, with the source items checked to be on it. */
  const checkPlacement = (boardId: string | null, sourceItemIds: readonly string[]): void => {
    if (boardId === null) {
      if (sourceItemIds.length > 0) {
        throw new StudioFailure('validation_failed', 'sourceItemIds need a boardId: the results are placed next to those items on that board');
      }
      return;
    }
    library.boards.get(boardId);
    if (sourceItemIds.length > 0) {
      const onBoard = new Set(library.boardItems.list(boardId).map((item) => item.id));
      const missing = sourceItemIds.find((id) => !onBoard.has(id));
      if (missing !== undefined) {
        throw new StudioFailure('not_found', `Source item ${missing} is not on board ${boardId}`);
      }
    }
  };

  const checkReferences = (references: readonly string[]): void => {
    references.forEach((sha256, index) => {
      if (!library.assets.has(sha256)) {
        throw new StudioFailure('not_found', `Reference image ${index + 1} (${sha256}) is not in the library; import it first`);
      }
    });
  };

  return {
    'generations:enqueue': (input) => {
      const model = library.models.get(input.modelId);
      const sourceItemIds = input.sourceItemIds ?? [];
      checkPlacement(input.boardId ?? null, sourceItemIds);
      checkReferences(input.references);
      // The same sentences as the composer's meter (prompts:measure) and the engine: prompt-problems.ts.
      const markers = countImageMarkers(input.prompt);
      if (markers !== input.references.length) {
        throw new StudioFailure('prompt_invalid', markerMismatchProblem(markers, input.references.length));
      }
      // At least one text token (the closing `</s>`) must fit beside the images.
      if (markers * model.tokensPerImage + 1 > model.prefixLength) {
        throw new StudioFailure('prompt_invalid', imagesLeaveNoTextProblem(markers, model.tokensPerImage, model.prefixLength, model.name));
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
        sourceItemIds,
      });
      announceQueued(batchId, generations.map((row) => row.id));
      return { batchId, generations };
    },

    'generations:get': ({ id }) => library.generations.get(id),

    'generations:list': ({ statuses, limit }) => ({ generations: library.generations.list({ statuses, limit }) }),

    'generations:cancel': ({ batchId }) => ({ cancelled: supervisor.cancel(batchId) }),

    'generations:search': (input) => library.generations.search(input),

    'generations:rate': ({ ids, rating, starred }) => {
      const generations = library.generations.rate(ids, { rating, starred });
      events.emit('generations:changed', { ids: generations.map((row) => row.id), change: 'rated' });
      return { generations };
    },

    'generations:trash': ({ ids }) => {
      const trashed = library.generations.trash(ids);
      events.emit('generations:changed', { ids: trashed, change: 'trashed' });
      return { ids: trashed };
    },

    'generations:restore': ({ ids }) => {
      const restored = library.generations.restore(ids);
      events.emit('generations:changed', { ids: restored, change: 'restored' });
      return { ids: restored };
    },

    'generations:rerun': (input) => {
      const original = library.generations.get(input.id);
      if (original.modelId === null) {
        throw new StudioFailure('not_found', `The model that made generation ${original.id} was removed from the library; import it again to re-run`);
      }
      const model = library.models.get(original.modelId);
      checkReferences(original.references);
      const origin = library.generations.batchOrigin(original.batchId);
      // Absent: onto the original's board, next to the items it came from; null: no board.
      const boardId = input.boardId === undefined ? original.boardId : input.boardId;
      const sourceItemIds = input.boardId === undefined ? origin.sourceItemIds : (input.sourceItemIds ?? []);
      if (input.boardId === undefined && boardId !== null) {
        library.boards.get(boardId); // the original's board may be gone; its missing items are skipped when placing
      } else {
        checkPlacement(boardId, sourceItemIds);
      }
      const { batchId, generations } = library.generations.enqueue({
        modelId: model.id,
        boardId,
        prompt: original.prompt,
        references: original.references,
        seed: original.seed,
        count: 1,
        firstVariation: original.variation,
        variationCount: origin.variationCount,
        params: original.params,
        bundleSha256: model.bundleSha256,
        engineVersion,
        sourceItemIds,
      });
      announceQueued(batchId, generations.map((row) => row.id));
      return { batchId, generations };
    },

    'generations:resume': ({ batchId }) => {
      const before = library.generations.batch(batchId);
      if (library.generations.requeue(batchId) === 0) {
        throw new StudioFailure(
          'conflict',
          `Only an interrupted, failed or cancelled batch can be resumed; this one is ${before[0]!.status}`,
        );
      }
      const generations = library.generations.batch(batchId);
      announceQueued(batchId, generations.map((row) => row.id));
      return { generations };
    },

    'generations:move': ({ batchId, index }) => {
      const batchIds = library.generations.move(batchId, index);
      events.emit('queue:changed', { paused: supervisor.isPaused() });
      return { batchIds };
    },
  };
}

function stripUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, field]) => field !== undefined)) as Partial<T>;
}
