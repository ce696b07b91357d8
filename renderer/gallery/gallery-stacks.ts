/**
 * Variations of one batch share a tile in the gallery (a stack with a count badge) until the user
 * opens the stack; then each variation has its own tile. Works on whatever pages are loaded, so a
 * stack split across two pages joins up when the second page arrives.
 */
import type { Generation } from '../../preload/contract';

export interface GalleryTile {
  /** Stable across renders: the batch id for a closed stack, the generation id otherwise. */
  key: string;
  /** The image the tile shows (the lowest variation of a closed stack). */
  cover: Generation;
  /** Every loaded variation the tile stands for; one unless it is a closed stack. */
  members: Generation[];
  /** Part of a batch with more than one loaded variation (closed or open). */
  batchSize: number;
  open: boolean;
}

export function stackTiles(generations: readonly Generation[], openBatches: ReadonlySet<string>): GalleryTile[] {
  const byBatch = new Map<string, Generation[]>();
  const order: string[] = [];
  for (const generation of generations) {
    const members = byBatch.get(generation.batchId);
    if (members) {
      members.push(generation);
    } else {
      byBatch.set(generation.batchId, [generation]);
      order.push(generation.batchId);
    }
  }
  const tiles: GalleryTile[] = [];
  for (const batchId of order) {
    const members = byBatch.get(batchId)!.sort((a, b) => a.variation - b.variation);
    const open = openBatches.has(batchId) && members.length > 1;
    if (members.length === 1 || !open) {
      tiles.push({ key: members.length === 1 ? members[0]!.id : batchId, cover: members[0]!, members, batchSize: members.length, open: false });
      continue;
    }
    for (const member of members) {
      tiles.push({ key: member.id, cover: member, members: [member], batchSize: members.length, open: true });
    }
  }
  return tiles;
}
