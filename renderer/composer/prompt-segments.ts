/**
 * The prompt as the composer edits it: text and image chips, where each chip is bound to a board
 * item. The engine sees a string with one `<image>` marker per chip and the chips' images as the
 * references, in the same order; this module is the one place that turns one into the other.
 *
 * Positions ("offsets") count one per UTF-16 code unit of text and one per chip, so a chip is a
 * single, atomic character for the caret and for deletion.
 */

export const imageMarker = '<image>';

export type TextSegment = { kind: 'text'; text: string };
/**
 * `itemId` null: a slot with no image yet (from a template, a pasted `<image>`, or a reference
 * that is not in the library; `missingSha256` then names that image).
 */
export type ImageSegment = { kind: 'image'; itemId: string | null; missingSha256?: string };
export type Segment = TextSegment | ImageSegment;
export type PromptDoc = readonly Segment[];

/** A caret (start === end) or a selection, in offsets; start ≤ end. */
export type Span = { start: number; end: number };

export type EditResult = { doc: Segment[]; selection: Span };

/** One text character or one chip. */
type Unit = string | ImageSegment;

function toUnits(doc: PromptDoc): Unit[] {
  const units: Unit[] = [];
  for (const segment of doc) {
    if (segment.kind === 'text') {
      for (let i = 0; i < segment.text.length; i++) {
        units.push(segment.text.charAt(i));
      }
    } else {
      units.push(segment);
    }
  }
  return units;
}

function fromUnits(units: readonly Unit[]): Segment[] {
  const doc: Segment[] = [];
  let text = '';
  for (const unit of units) {
    if (typeof unit === 'string') {
      text += unit;
      continue;
    }
    if (text !== '') {
      doc.push({ kind: 'text', text });
      text = '';
    }
    doc.push(unit);
  }
  if (text !== '') {
    doc.push({ kind: 'text', text });
  }
  return doc;
}

function unbound(): ImageSegment {
  return { kind: 'image', itemId: null };
}

/**
 * Turns every literal `<image>` typed or pasted as text into an empty chip: the engine would read it
 * as a marker anyway, so the prompt must show it as one (and ask for its image). Offsets move with it.
 */
function convertMarkers(units: Unit[], selection: Span): { units: Unit[]; selection: Span } {
  const out: Unit[] = [];
  // where[i]: the output offset of input offset i; an offset inside a marker lands after its chip.
  const where: number[] = new Array<number>(units.length + 1);
  for (let i = 0; i < units.length; i++) {
    if (units[i] === '<' && matchesMarker(units, i)) {
      where[i] = out.length;
      out.push(unbound());
      for (let k = 1; k < imageMarker.length; k++) {
        where[i + k] = out.length;
      }
      i += imageMarker.length - 1;
      continue;
    }
    where[i] = out.length;
    out.push(units[i] as Unit);
  }
  where[units.length] = out.length;
  const map = (offset: number) => where[Math.max(0, Math.min(offset, units.length))] ?? out.length;
  return { units: out, selection: { start: map(selection.start), end: map(selection.end) } };
}

function matchesMarker(units: readonly Unit[], index: number): boolean {
  for (let k = 0; k < imageMarker.length; k++) {
    if (units[index + k] !== imageMarker.charAt(k)) {
      return false;
    }
  }
  return true;
}

function clampSpan(span: Span, length: number): Span {
  const start = Math.max(0, Math.min(span.start, span.end, length));
  const end = Math.max(start, Math.min(Math.max(span.start, span.end), length));
  return { start, end };
}

/** Merges neighbouring text, drops empty text and turns literal markers into chips. */
export function normalize(doc: PromptDoc): Segment[] {
  return fromUnits(convertMarkers(toUnits(doc), { start: 0, end: 0 }).units);
}

export function promptLength(doc: PromptDoc): number {
  let length = 0;
  for (const segment of doc) {
    length += segment.kind === 'text' ? segment.text.length : 1;
  }
  return length;
}

/** The text the engine reads: chips become `<image>` markers. */
export function toPromptString(doc: PromptDoc): string {
  return doc.map((segment) => (segment.kind === 'text' ? segment.text : imageMarker)).join('');
}

export function imageSegments(doc: PromptDoc): ImageSegment[] {
  return doc.filter((segment): segment is ImageSegment => segment.kind === 'image');
}

/**
 * The references in marker order: the n-th chip's image is the n-th reference. `shaOf` gives an
 * item's image; null when a chip has no usable image (see `chipProblems`).
 */
export function references(doc: PromptDoc, shaOf: (itemId: string) => string | undefined): string[] | null {
  const shas: string[] = [];
  for (const chip of imageSegments(doc)) {
    const sha = chip.itemId === null ? undefined : shaOf(chip.itemId);
    if (sha === undefined) {
      return null;
    }
    shas.push(sha);
  }
  return shas;
}

/** The item ids of the chips in order, each once (the lineage of what gets generated). */
export function boundItemIds(doc: PromptDoc): string[] {
  const ids: string[] = [];
  for (const chip of imageSegments(doc)) {
    if (chip.itemId !== null && !ids.includes(chip.itemId)) {
      ids.push(chip.itemId);
    }
  }
  return ids;
}

/**
 * Parses a prompt string: each `<image>` marker becomes a chip bound to `itemIds[n]` (null or absent:
 * an empty slot; `missingShas[n]` marks it as a reference that is not in the library).
 */
export function fromPromptString(prompt: string, itemIds: readonly (string | null)[] = [], missingShas: readonly (string | undefined)[] = []): Segment[] {
  const doc: Segment[] = [];
  const parts = prompt.split(imageMarker);
  parts.forEach((text, index) => {
    if (index > 0) {
      const n = index - 1;
      const itemId = itemIds[n] ?? null;
      const missing = missingShas[n];
      doc.push(itemId === null && missing !== undefined ? { kind: 'image', itemId: null, missingSha256: missing } : { kind: 'image', itemId });
    }
    if (text !== '') {
      doc.push({ kind: 'text', text });
    }
  });
  return doc;
}

/** Replaces `range` with text (line breaks normalized) or segments; the caret ends after the insertion. */
export function replaceRange(doc: PromptDoc, range: Span, insert: string | PromptDoc): EditResult {
  const units = toUnits(doc);
  const { start, end } = clampSpan(range, units.length);
  const inserted = typeof insert === 'string' ? toUnits([{ kind: 'text', text: normalizeLineBreaks(insert) }]) : toUnits(insert);
  units.splice(start, end - start, ...inserted);
  const caret = start + inserted.length;
  const converted = convertMarkers(units, { start: caret, end: caret });
  return { doc: fromUnits(converted.units), selection: converted.selection };
}

function normalizeLineBreaks(text: string): string {
  return text.replace(/\r\n?/g, '\n');
}

/** Backspace: deletes the selection, else the one unit before the caret (a whole chip, a whole surrogate pair). */
export function deleteBackward(doc: PromptDoc, selection: Span): EditResult {
  const units = toUnits(doc);
  const span = clampSpan(selection, units.length);
  if (span.start !== span.end) {
    return replaceRange(doc, span, '');
  }
  if (span.start === 0) {
    return { doc: [...doc], selection: span };
  }
  const width = isLowSurrogate(units[span.start - 1]) && isHighSurrogate(units[span.start - 2]) ? 2 : 1;
  return replaceRange(doc, { start: span.start - width, end: span.start }, '');
}

/** Delete key: deletes the selection, else the one unit after the caret. */
export function deleteForward(doc: PromptDoc, selection: Span): EditResult {
  const units = toUnits(doc);
  const span = clampSpan(selection, units.length);
  if (span.start !== span.end) {
    return replaceRange(doc, span, '');
  }
  if (span.start === units.length) {
    return { doc: [...doc], selection: span };
  }
  const width = isHighSurrogate(units[span.start]) && isLowSurrogate(units[span.start + 1]) ? 2 : 1;
  return replaceRange(doc, { start: span.start, end: span.start + width }, '');
}

function isHighSurrogate(unit: Unit | undefined): boolean {
  return typeof unit === 'string' && /[\uD800-\uDBFF]/.test(unit);
}

function isLowSurrogate(unit: Unit | undefined): boolean {
  return typeof unit === 'string' && /[\uDC00-\uDFFF]/.test(unit);
}

/** The part of the prompt inside `range` (for copy and cut). */
export function sliceDoc(doc: PromptDoc, range: Span): Segment[] {
  const units = toUnits(doc);
  const { start, end } = clampSpan(range, units.length);
  return fromUnits(units.slice(start, end));
}

/** Offset of the n-th chip (0-based), or -1. */
export function chipOffset(doc: PromptDoc, chipIndex: number): number {
  let offset = 0;
  let seen = 0;
  for (const segment of doc) {
    if (segment.kind === 'image') {
      if (seen === chipIndex) {
        return offset;
      }
      seen++;
      offset += 1;
    } else {
      offset += segment.text.length;
    }
  }
  return -1;
}

/**
 * Moves chip n one place left or right among the chips: the text stays where it is and the two chips
 * trade places, so "The cat in [A]. The dog in [B]" becomes "The cat in [B]. The dog in [A]".
 */
export function swapChip(doc: PromptDoc, chipIndex: number, direction: -1 | 1): EditResult | null {
  const other = chipIndex + direction;
  const chips = imageSegments(doc);
  const first = chips[chipIndex];
  const second = chips[other];
  if (first === undefined || second === undefined) {
    return null;
  }
  let seen = 0;
  const next = doc.map((segment) => {
    if (segment.kind !== 'image') {
      return segment;
    }
    const index = seen++;
    if (index === chipIndex) {
      return second;
    }
    if (index === other) {
      return first;
    }
    return segment;
  });
  const caret = chipOffset(next, other) + 1;
  return { doc: next, selection: { start: caret, end: caret } };
}

/** Moves the chip at offset `from` to offset `to` (both in the current prompt), e.g. by dragging it. */
export function moveChip(doc: PromptDoc, from: number, to: number): EditResult | null {
  const units = toUnits(doc);
  const chip = units[from];
  if (chip === undefined || typeof chip === 'string') {
    return null;
  }
  const target = Math.max(0, Math.min(to, units.length));
  units.splice(from, 1);
  const at = target > from ? target - 1 : target;
  units.splice(at, 0, chip);
  return { doc: fromUnits(units), selection: { start: at + 1, end: at + 1 } };
}

/** Binds chip n to an item (filling an empty slot, or replacing a broken one). */
export function bindChip(doc: PromptDoc, chipIndex: number, itemId: string): Segment[] {
  let seen = 0;
  return doc.map((segment) => {
    if (segment.kind !== 'image') {
      return segment;
    }
    return seen++ === chipIndex ? { kind: 'image', itemId } : segment;
  });
}

/** The word typed since an `@` right before the caret, if there is one (the picker's filter); white space ends it. */
export function mentionQuery(doc: PromptDoc, caret: number): { at: number; query: string } | null {
  const units = toUnits(doc);
  for (let i = Math.min(caret, units.length) - 1; i >= 0; i--) {
    const unit = units[i];
    if (typeof unit !== 'string' || /\s/.test(unit) || caret - i > 40) {
      return null;
    }
    if (unit === '@') {
      return { at: i, query: (units.slice(i + 1, caret) as string[]).join('') };
    }
  }
  return null;
}

export function sameDoc(a: PromptDoc, b: PromptDoc): boolean {
  if (a.length !== b.length) {
    return false;
  }
  return a.every((segment, index) => {
    const other = b[index];
    if (other === undefined || other.kind !== segment.kind) {
      return false;
    }
    if (segment.kind === 'text') {
      return other.kind === 'text' && other.text === segment.text;
    }
    return other.kind === 'image' && other.itemId === segment.itemId && other.missingSha256 === segment.missingSha256;
  });
}

function isSpace(unit: Unit | undefined): boolean {
  return typeof unit === 'string' && /\s/.test(unit);
}

/**
 * Where Ctrl+Backspace stops: back over white space, then over one word (a chip is a word of its
 * own). `direction` 1 goes forward for Ctrl+Delete.
 */
export function wordBoundary(doc: PromptDoc, caret: number, direction: -1 | 1): number {
  const units = toUnits(doc);
  const step = (at: number) => (direction === -1 ? units[at - 1] : units[at]);
  let at = Math.max(0, Math.min(caret, units.length));
  const inside = (position: number) => (direction === -1 ? position > 0 : position < units.length);
  while (inside(at) && isSpace(step(at)) && step(at) !== '\n') {
    at += direction;
  }
  if (inside(at) && (typeof step(at) !== 'string' || step(at) === '\n')) {
    return at + direction;
  }
  while (inside(at) && typeof step(at) === 'string' && !isSpace(step(at))) {
    at += direction;
  }
  return at;
}

/** Where the line around `caret` starts (direction -1) or ends (1). */
export function lineBoundary(doc: PromptDoc, caret: number, direction: -1 | 1): number {
  const units = toUnits(doc);
  let at = Math.max(0, Math.min(caret, units.length));
  if (direction === -1) {
    while (at > 0 && units[at - 1] !== '\n') {
      at--;
    }
  } else {
    while (at < units.length && units[at] !== '\n') {
      at++;
    }
  }
  return at;
}
