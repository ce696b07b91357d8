/**
 * The gallery's filters as SQL over `generations` (contract `GallerySearch`). Only the filters the user
 * set appear in the statement, so SQLite can pick an index for each combination (a `@x IS NULL OR …`
 * catch-all statement would hide every index from the planner); the statement text is the cache key of
 * the prepared statement, and there are few distinct shapes.
 */
import type { z } from 'zod';
import type { GallerySearch } from '../../preload/contract';

export type GallerySearchInput = z.output<typeof GallerySearch>;

export type GalleryFilter = {
  /** `WHERE …` over the `generations` table, without the keyword. */
  where: string;
  /** Named parameters for `where`. */
  params: Record<string, string | number>;
};

/** At most this many words of the search text are used; more only slow the match down. */
export const maxSearchWords = 16;

/**
 * The FTS5 MATCH expression for what the user typed: each word a quoted prefix term, all required
 * (`cat pix` finds "a cat as pixel art"). Words are split the way the index's `unicode61` tokenizer
 * splits prompts (letters, digits and private-use characters; everything else separates), so nothing the
 * user types can be read as FTS syntax (`AND`, `"`, `*`, `-`, `:`, parentheses). Null when the text holds
 * no word.
 *
 * @example
 * ftsMatchExpression('pixel-art "hero'); // '"pixel"* "art"* "hero"*'
 */
export function ftsMatchExpression(text: string): string | null {
  // A run of combining marks alone would be an empty phrase once FTS5 tokenizes it.
  const words = (text.normalize('NFC').match(/[\p{L}\p{N}\p{M}\p{Co}]+/gu) ?? []).filter((word) => /[\p{L}\p{N}\p{Co}]/u.test(word));
  if (words.length === 0) {
    return null;
  }
  // FTS5 runs a quoted string through the same tokenizer as the prompts, so a term is matched exactly
  // as indexed (case and accents folded). A word holds no quote after the split; doubling quotes keeps
  // the term a string even if that changes.
  return words
    .slice(0, maxSearchWords)
    .map((word) => `"${word.replaceAll('"', '""')}"*`)
    .join(' ');
}

/** The WHERE clause for a gallery search: finished images, in the gallery or in the trash, and every filter set. */
export function galleryFilter(search: GallerySearchInput): GalleryFilter {
  const clauses = ["status = 'done'", search.trashed === true ? 'deleted_at IS NOT NULL' : 'deleted_at IS NULL'];
  const params: Record<string, string | number> = {};
  const add = (clause: string, name: string, value: string | number): void => {
    clauses.push(clause);
    params[name] = value;
  };
  if (search.boardId !== undefined) {
    add('board_id = @boardId', 'boardId', search.boardId);
  }
  if (search.modelId !== undefined) {
    add('model_id = @modelId', 'modelId', search.modelId);
  }
  if (search.seed !== undefined) {
    add('seed = @seed', 'seed', search.seed);
  }
  if (search.referenceSha256 !== undefined) {
    // references_json is a JSON array of hashes; a hash in quotes matches that whole element only.
    add('instr(references_json, @referenceQuoted) > 0', 'referenceQuoted', JSON.stringify(search.referenceSha256));
  }
  if (search.minRating !== undefined) {
    add('rating >= @minRating', 'minRating', search.minRating);
  }
  if (search.starred !== undefined) {
    add('starred = @starred', 'starred', search.starred ? 1 : 0);
  }
  if (search.from !== undefined) {
    add('created_at >= @from', 'from', search.from);
  }
  if (search.to !== undefined) {
    add('created_at <= @to', 'to', search.to);
  }
  const match = search.text === undefined ? null : ftsMatchExpression(search.text);
  if (match !== null) {
    add('seq IN (SELECT rowid FROM generations_fts WHERE generations_fts MATCH @match)', 'match', match);
  }
  return { where: clauses.join(' AND '), params };
}
