import BetterSqlite3 from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { GallerySearch } from '../../preload/contract';
import { ftsMatchExpression, galleryFilter, maxSearchWords } from './gallery-query';

describe('ftsMatchExpression', () => {
  it('makes each word a quoted prefix term and drops everything FTS5 would read as syntax', () => {
    expect(ftsMatchExpression('pixel-art "hero')).toBe('"pixel"* "art"* "hero"*');
    expect(ftsMatchExpression('cat AND NOT dog*')).toBe('"cat"* "AND"* "NOT"* "dog"*');
    expect(ftsMatchExpression('NEAR(cat, door) prompt:x ^y')).toBe('"NEAR"* "cat"* "door"* "prompt"* "x"* "y"*');
    expect(ftsMatchExpression('café 16-bit 猫')).toBe('"café"* "16"* "bit"* "猫"*');
  });

  it('gives null when nothing searchable is left', () => {
    for (const text of ['', '   ', '"*"', '()-+^:', '\u0301\u0301', '🐈']) {
      expect(ftsMatchExpression(text), JSON.stringify(text)).toBeNull();
    }
  });

  it('keeps at most the first maxSearchWords words', () => {
    const words = Array.from({ length: maxSearchWords + 5 }, (_, index) => `w${index}`);
    expect(ftsMatchExpression(words.join(' '))!.split(' ')).toHaveLength(maxSearchWords);
  });

  it('is valid FTS5 for any text: random punctuation, quotes and keywords never raise a syntax error', () => {
    const db = new BetterSqlite3(':memory:');
    db.exec(`CREATE VIRTUAL TABLE t USING fts5 (prompt, tokenize = 'unicode61 remove_diacritics 2')`);
    db.prepare('INSERT INTO t (prompt) VALUES (?)').run('a cat as a pixel-art hero by the café');
    const alphabet = ['"', "'", '*', '(', ')', ':', '^', '-', '+', ' ', 'AND', 'OR', 'NOT', 'NEAR', 'cat', 'é', '\u0301', '{', '}', ',', '\\', '\u0000'];
    let state = 7;
    const next = (): number => (state = (state * 1103515245 + 12345) % 2 ** 31);
    const match = db.prepare('SELECT count(*) AS n FROM t WHERE t MATCH ?');
    for (let round = 0; round < 2_000; round++) {
      const text = Array.from({ length: 1 + (next() % 8) }, () => alphabet[next() % alphabet.length]).join('');
      const expression = ftsMatchExpression(text);
      if (expression !== null) {
        expect(() => match.get(expression), text).not.toThrow();
      }
    }
    expect(match.get(ftsMatchExpression('CAFE Pix')!)).toEqual({ n: 1 });
    db.close();
  });
});

describe('galleryFilter', () => {
  it('holds only the filters that are set, as parameters, never as SQL text', () => {
    expect(galleryFilter(GallerySearch.parse({}))).toEqual({ where: "status = 'done' AND deleted_at IS NULL", params: {} });
    const hostile = "x'; DROP TABLE generations; --";
    const filter = galleryFilter(GallerySearch.parse({ text: hostile, trashed: true, starred: false, minRating: 3 }));
    expect(filter.where).not.toContain('DROP');
    expect(filter.where).toContain('deleted_at IS NOT NULL');
    expect(filter.params).toEqual({ starred: 0, minRating: 3, match: '"x"* "DROP"* "TABLE"* "generations"*' });
  });

  it('looks a reference up as a whole quoted hash, so a prefix of another hash cannot match', () => {
    const sha = 'ab'.repeat(32);
    expect(galleryFilter(GallerySearch.parse({ referenceSha256: sha })).params).toEqual({ referenceQuoted: `"${sha}"` });
  });
});
