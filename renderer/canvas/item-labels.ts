/**
 * The words that name a board item for people and for tests: "Reference: cat.png", "Result 2: The
 * cat in <image>. A…", and a result's lineage, "made from Reference: a.png, Reference: b.png". The
 * "Board items" list, the composer's chips and messages all use these, so one item has one name.
 */
import type { BoardItem } from '../../preload/contract';

export interface ItemDescription {
  /** "Reference: a.png" or "Result 3: The cat in <image>…". */
  label: string;
  /** "made from …" for an item with lineage, else null. */
  lineage: string | null;
}

/** How many words of a prompt name a result. */
export const promptWordsInLabel = 6;

/** The first `count` words of a prompt, whitespace collapsed, with "…" when words were left out. */
export function firstWords(text: string, count = promptWordsInLabel): string {
  const words = text.trim().split(/\s+/).filter((word) => word !== '');
  if (words.length <= count) {
    return words.join(' ');
  }
  return `${words.slice(0, count).join(' ')}…`;
}

export interface LabelSources {
  /** The file name a reference image was imported under, if known. */
  nameOf(assetSha256: string): string | null;
  /** The prompt of a generation, once read from the library. */
  promptOf(generationId: string): string | null;
}

/**
 * Names every item of a board. Results are numbered in the order they were made (1 is the oldest),
 * so the numbers stay put when the list is re-read or the page reloads.
 */
export function describeItems(items: readonly BoardItem[], sources: LabelSources): Map<string, ItemDescription> {
  const resultNumbers = new Map<string, number>();
  const results = items
    .filter((item) => item.kind === 'generation')
    .sort((a, b) => a.createdAt - b.createdAt || a.zIndex - b.zIndex);
  results.forEach((item, index) => resultNumbers.set(item.id, index + 1));

  const labels = new Map<string, string>();
  for (const item of items) {
    const number = resultNumbers.get(item.id);
    if (number === undefined) {
      labels.set(item.id, `Reference: ${item.name ?? sources.nameOf(item.assetSha256) ?? 'image'}`);
      continue;
    }
    const prompt = item.generationId === null ? null : sources.promptOf(item.generationId);
    labels.set(item.id, prompt === null || prompt.trim() === '' ? `Result ${number}` : `Result ${number}: ${firstWords(prompt)}`);
  }

  const descriptions = new Map<string, ItemDescription>();
  for (const item of items) {
    const sourceLabels = item.sourceItemIds.map((id) => labels.get(id) ?? 'an item no longer on this board');
    descriptions.set(item.id, {
      label: labels.get(item.id) ?? 'image',
      lineage: sourceLabels.length === 0 ? null : `made from ${sourceLabels.join(', ')}`,
    });
  }
  return descriptions;
}
