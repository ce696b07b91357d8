import type { Generation } from '../../../preload/contract';
import type { BoardItemsRepository } from '../../library/board-items-repository';
import type { GenerationsRepository } from '../../library/generations-repository';
import type { EventBus } from '../../services/event-bus';
import { StudioFailure } from '../../services/studio-failure';

export type ResultPlacementDeps = {
  boardItems: Pick<BoardItemsRepository, 'placeResults'>;
  generations: Pick<GenerationsRepository, 'batchOrigin'>;
  events: EventBus;
  logError: (message: string, error: unknown) => void;
};

/** A finished batch: its rows in variation order, and each row's stored image. */
export type FinishedBatch = {
  rows: readonly Generation[];
  images: readonly { sha256: string; width: number; height: number }[];
};

/**
 * Puts a finished batch's images on its board (if it has one), next to the items they were made from,
 * and tells the windows. The images are already stored and the batch is done: placing them must never
 * undo that, so this never throws. A board deleted meanwhile leaves the images in the gallery only;
 * source items removed meanwhile are skipped by `placeResults` (the images go right of everything); any
 * other failure is logged. Returns the ids of the items placed.
 */
export function placeResultsOnBoard(deps: ResultPlacementDeps, batch: FinishedBatch): string[] {
  const boardId = batch.rows[0]?.boardId ?? null;
  if (boardId === null) {
    return [];
  }
  try {
    const items = deps.boardItems.placeResults({
      boardId,
      sourceItemIds: deps.generations.batchOrigin(batch.rows[0]!.batchId).sourceItemIds,
      results: batch.rows.map((row, index) => ({
        generationId: row.id,
        assetSha256: batch.images[index]!.sha256,
        width: batch.images[index]!.width,
        height: batch.images[index]!.height,
      })),
    });
    const itemIds = items.map((item) => item.id);
    if (itemIds.length > 0) {
      deps.events.emit('items:changed', { boardId, itemIds, change: 'added' });
    }
    return itemIds;
  } catch (error) {
    if (!(error instanceof StudioFailure && error.code === 'not_found')) {
      deps.logError(`Placing the images of batch ${batch.rows[0]!.batchId} on board ${boardId} failed`, error);
    }
    return [];
  }
}
