/** What the user reads after dropping a PNG the studio made: what was restored, what could not be. */
import type { ImageMetadata } from '../../preload/contract';

/**
 * `referenceItemIds[i]` is the item now holding reference i, null when that image is not in this
 * library; `restored` says whether a composer took the settings.
 */
export function restoreMessage(fileName: string, metadata: ImageMetadata, referenceIds: (string | null)[], restored: boolean): string {
  const placed = referenceIds.filter((id) => id !== null).length;
  const missing = metadata.references.length - placed;
  const parts = [restored ? `Restored the prompt and settings of ${fileName}` : `${fileName} was made with MENTOR (open the composer to reuse its settings)`];
  if (placed > 0) {
    parts.push(`placed its ${placed === 1 ? 'reference' : `${placed} references`} beside it`);
  }
  if (missing > 0) {
    parts.push(`${missing === 1 ? '1 reference is' : `${missing} references are`} not in this library`);
  }
  return `${parts.join('; ')}.`;
}
