/**
 * Between the prompt editor's DOM and prompt offsets. The editor renders each segment as one child
 * of its root, marked with `data-kind` (text | chip | gap | filler) and `data-start` (its offset):
 * text spans hold one text node; chips are atomic; gaps are zero-width spaces that give the caret a
 * place between two chips or beside a chip at either end; a filler `<br>` shows a trailing empty line.
 */
import type { Span } from './prompt-segments';

/** What a gap holds: a zero-width space, so the caret has a text node to sit in. */
export const gapText = '\u200B';

function childOf(root: HTMLElement, node: Node): HTMLElement | null {
  let current: Node | null = node;
  while (current !== null && current.parentNode !== root) {
    current = current.parentNode;
  }
  return current instanceof HTMLElement ? current : null;
}

function startOf(element: Element | null | undefined, fallback: number): number {
  const raw = element?.getAttribute('data-start');
  return raw === null || raw === undefined ? fallback : Number(raw);
}

function lengthOf(element: HTMLElement): number {
  switch (element.dataset.kind) {
    case 'text':
      return element.textContent?.length ?? 0;
    case 'chip':
      return 1;
    default:
      return 0;
  }
}

/** Total length as rendered (the root's `data-length`). */
function totalOf(root: HTMLElement): number {
  return Number(root.dataset.length ?? '0');
}

/** The prompt offset of a DOM point inside the editor, or null when the point is outside it. */
export function pointToOffset(root: HTMLElement, node: Node, offset: number): number | null {
  if (node === root) {
    const child = root.childNodes[offset];
    return child instanceof HTMLElement ? startOf(child, totalOf(root)) : totalOf(root);
  }
  if (!root.contains(node)) {
    return null;
  }
  const child = childOf(root, node);
  if (child === null) {
    return null;
  }
  const start = startOf(child, 0);
  switch (child.dataset.kind) {
    case 'text': {
      if (node.nodeType === Node.TEXT_NODE) {
        return start + Math.min(offset, lengthOf(child));
      }
      // A point on the span itself: before or after its one text node.
      return offset === 0 ? start : start + lengthOf(child);
    }
    case 'chip':
      return start + (offset === 0 && node === child ? 0 : 1);
    default:
      return start;
  }
}

/** The editor's selection as prompt offsets (start ≤ end), or null when it is not in the editor. */
export function readSelection(root: HTMLElement): Span | null {
  const selection = root.ownerDocument.getSelection();
  if (selection === null || selection.rangeCount === 0 || selection.anchorNode === null || selection.focusNode === null) {
    return null;
  }
  const anchor = pointToOffset(root, selection.anchorNode, selection.anchorOffset);
  const focus = pointToOffset(root, selection.focusNode, selection.focusOffset);
  if (anchor === null || focus === null) {
    return null;
  }
  return { start: Math.min(anchor, focus), end: Math.max(anchor, focus) };
}

/** A static range (from `getTargetRanges`) as prompt offsets. */
export function rangeToSpan(root: HTMLElement, range: StaticRange): Span | null {
  const start = pointToOffset(root, range.startContainer, range.startOffset);
  const end = pointToOffset(root, range.endContainer, range.endOffset);
  if (start === null || end === null) {
    return null;
  }
  return { start: Math.min(start, end), end: Math.max(start, end) };
}

/** The DOM point for a prompt offset: inside a text span when one holds it, else in the gap there. */
function offsetToPoint(root: HTMLElement, offset: number): { node: Node; offset: number } {
  const children = Array.from(root.children) as HTMLElement[];
  let gap: HTMLElement | null = null;
  for (const child of children) {
    const start = startOf(child, 0);
    const kind = child.dataset.kind;
    if (kind === 'text' && offset >= start && offset <= start + lengthOf(child)) {
      const text = child.firstChild;
      return text === null ? { node: child, offset: 0 } : { node: text, offset: offset - start };
    }
    if (kind === 'gap' && start === offset) {
      gap = child;
    }
  }
  if (gap !== null) {
    return { node: gap.firstChild ?? gap, offset: gap.firstChild ? gapText.length : 0 };
  }
  // An empty prompt, or an offset past the end: the root itself, before any filler.
  const filler = children.findIndex((child) => child.dataset.kind === 'filler');
  return { node: root, offset: filler === -1 ? children.length : filler };
}

/** Puts the browser's selection on `span`. */
export function placeSelection(root: HTMLElement, span: Span): void {
  const selection = root.ownerDocument.getSelection();
  if (selection === null) {
    return;
  }
  const start = offsetToPoint(root, span.start);
  const end = span.end === span.start ? start : offsetToPoint(root, span.end);
  try {
    selection.setBaseAndExtent(start.node, start.offset, end.node, end.offset);
  } catch {
    // The DOM changed under us (a re-render in between); the next placement corrects it.
  }
}

/** The prompt offset under a viewport point (where a drop lands), or null when it is not over the text. */
export function offsetAtPoint(root: HTMLElement, x: number, y: number): number | null {
  const doc = root.ownerDocument as Document & {
    caretPositionFromPoint?: (x: number, y: number) => { offsetNode: Node; offset: number } | null;
  };
  const element = doc.elementFromPoint(x, y);
  const chip = element?.closest('[data-kind="chip"]');
  if (chip instanceof HTMLElement && root.contains(chip)) {
    const box = chip.getBoundingClientRect();
    return startOf(chip, 0) + (x > box.left + box.width / 2 ? 1 : 0);
  }
  const position = doc.caretPositionFromPoint?.(x, y);
  if (position) {
    return pointToOffset(root, position.offsetNode, position.offset);
  }
  const range = doc.caretRangeFromPoint?.(x, y);
  return range ? pointToOffset(root, range.startContainer, range.startOffset) : null;
}

/** Where the caret is on screen (for the @ picker), or null. */
export function caretRect(root: HTMLElement): DOMRect | null {
  const selection = root.ownerDocument.getSelection();
  if (selection === null || selection.rangeCount === 0 || !root.contains(selection.anchorNode)) {
    return null;
  }
  const range = selection.getRangeAt(0).cloneRange();
  range.collapse(false);
  const rect = range.getClientRects()[0] ?? range.getBoundingClientRect();
  if (rect.width === 0 && rect.height === 0 && rect.x === 0 && rect.y === 0) {
    return root.getBoundingClientRect();
  }
  return rect;
}
