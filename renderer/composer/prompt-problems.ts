/**
 * What stops a prompt from being generated, in sentences the composer shows (role=alert) while
 * Generate is disabled: chips without a usable image, too many images, too long a prompt. The token
 * budget comes from the studio (`prompts:measure`) and is added by the composer.
 */
import type { BoardItem } from '../../preload/contract';
import { imageSegments, toPromptString, type ImageSegment, type PromptDoc } from './prompt-segments';

/** The contract's limits on `generations:enqueue`. */
export const maxReferences = 8;
export const maxPromptCharacters = 4000;

export type ChipState =
  | { kind: 'ok'; item: BoardItem }
  /** A slot no image was chosen for yet. */
  | { kind: 'empty' }
  /** The item was deleted from the board (undo on the canvas brings it back). */
  | { kind: 'deleted' }
  /** A restored prompt's reference whose image this library does not hold. */
  | { kind: 'not-in-library'; sha256: string }
  /** The board's items are still being read. */
  | { kind: 'loading' };

/**
 * `unconfirmed`: items not in the list yet that may just have been added (the canvas places an image
 * and hands it to the composer before the list is read again); they count as loading, not deleted.
 */
export function chipState(chip: ImageSegment, items: ReadonlyMap<string, BoardItem> | null, unconfirmed: ReadonlySet<string> = noIds): ChipState {
  if (chip.itemId === null) {
    return chip.missingSha256 === undefined ? { kind: 'empty' } : { kind: 'not-in-library', sha256: chip.missingSha256 };
  }
  const item = items?.get(chip.itemId);
  if (item !== undefined) {
    return { kind: 'ok', item };
  }
  return items === null || unconfirmed.has(chip.itemId) ? { kind: 'loading' } : { kind: 'deleted' };
}

const noIds: ReadonlySet<string> = new Set();

/** Why chip `number` (1-based) cannot be used, or null. */
export function chipProblem(number: number, state: ChipState): string | null {
  switch (state.kind) {
    case 'empty':
      return `Image ${number} has no image yet: click it to choose one from the board`;
    case 'deleted':
      return `Image ${number} was deleted from the board: undo the delete on the canvas, or click the chip to choose another image`;
    case 'not-in-library':
      return `Image ${number} is not in the library: click the chip to choose a board image instead, or delete it`;
    default:
      return null;
  }
}

/** Every reason the prompt cannot be generated as written; empty when it can (as far as the composer can tell). */
export function promptProblems(doc: PromptDoc, items: ReadonlyMap<string, BoardItem> | null, unconfirmed: ReadonlySet<string> = noIds): string[] {
  const problems: string[] = [];
  const chips = imageSegments(doc);
  chips.forEach((chip, index) => {
    const problem = chipProblem(index + 1, chipState(chip, items, unconfirmed));
    if (problem !== null) {
      problems.push(problem);
    }
  });
  if (chips.length > maxReferences) {
    problems.push(`A prompt can use at most ${maxReferences} images; this one has ${chips.length}`);
  }
  const length = toPromptString(doc).length;
  if (length > maxPromptCharacters) {
    problems.push(`The prompt has ${length} characters; at most ${maxPromptCharacters} fit`);
  }
  return problems;
}

/** True when there is nothing to generate from (only white space). */
export function isBlank(doc: PromptDoc): boolean {
  return toPromptString(doc).trim() === '';
}
