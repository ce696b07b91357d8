/**
 * Canvas keys. They act only while focus is in the canvas region (the canvas takes focus when
 * clicked), so Delete in the gallery or Ctrl+Z in the prompt keep their own meaning.
 */

export type CanvasKeyAction = 'delete' | 'undo' | 'redo' | 'select-all' | 'zoom-in' | 'zoom-out' | 'fit';

export interface KeyPress {
  key: string;
  ctrlKey: boolean;
  metaKey: boolean;
  shiftKey: boolean;
  altKey: boolean;
}

/** What a key press means on the canvas, or null when it is not a canvas key. */
export function canvasKeyAction(press: KeyPress): CanvasKeyAction | null {
  const mod = press.ctrlKey || press.metaKey;
  const key = press.key.length === 1 ? press.key.toLowerCase() : press.key;
  if (press.altKey) {
    return null;
  }
  if (mod) {
    if (key === 'z') {
      return press.shiftKey ? 'redo' : 'undo';
    }
    if (key === 'y' && !press.shiftKey) {
      return 'redo';
    }
    if (key === 'a' && !press.shiftKey) {
      return 'select-all';
    }
    return null;
  }
  switch (key) {
    case 'Delete':
    case 'Backspace':
      return 'delete';
    case '+':
    case '=':
      return 'zoom-in';
    case '-':
      return 'zoom-out';
    case 'f':
      return press.shiftKey ? null : 'fit';
    default:
      return null;
  }
}

/** A text field, a select or an editable element: keys typed there are text, not commands. */
export function isTextEntry(target: { tagName?: string; isContentEditable?: boolean; type?: string } | null): boolean {
  if (target === null) {
    return false;
  }
  if (target.isContentEditable) {
    return true;
  }
  const tag = target.tagName?.toUpperCase();
  if (tag === 'TEXTAREA' || tag === 'SELECT') {
    return true;
  }
  if (tag === 'INPUT') {
    const nonText = ['button', 'checkbox', 'radio', 'range', 'file', 'submit', 'reset', 'color', 'image'];
    return !nonText.includes((target.type ?? 'text').toLowerCase());
  }
  return false;
}
