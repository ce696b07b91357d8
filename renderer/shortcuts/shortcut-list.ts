/**
 * Every keyboard shortcut of the studio, in one list: the help dialog shows it, and the key handlers
 * (queue, gallery and the page keys here; the canvas and composer keep their own matchers, which this
 * list mirrors) match events with `matchesShortcut`, so what is shown is what works.
 * `mod` is Ctrl, or ⌘ on macOS.
 */

export interface KeyCombo {
  /** `KeyboardEvent.key`; letters in lower case. */
  key: string;
  mod?: boolean;
  shift?: boolean;
}

export type ShortcutScope = 'Everywhere' | 'Composer' | 'Canvas' | 'Queue' | 'Gallery';

export interface Shortcut {
  id: string;
  /** Any of these does it. */
  combos: readonly KeyCombo[];
  action: string;
  scope: ShortcutScope;
}

export const shortcuts = [
  { id: 'generate', combos: [{ key: 'Enter', mod: true }], action: 'Generate', scope: 'Composer' },
  { id: 'pick-reference', combos: [{ key: '@' }], action: 'Pick a board image for an <image> chip', scope: 'Composer' },
  { id: 'cancel', combos: [{ key: 'Escape' }], action: 'Cancel the running batch (when not typing)', scope: 'Queue' },
  { id: 'delete', combos: [{ key: 'Delete' }, { key: 'Backspace' }], action: 'Delete the selected items', scope: 'Canvas' },
  { id: 'undo', combos: [{ key: 'z', mod: true }], action: 'Undo', scope: 'Canvas' },
  { id: 'redo', combos: [{ key: 'z', mod: true, shift: true }, { key: 'y', mod: true }], action: 'Redo', scope: 'Canvas' },
  { id: 'select-all', combos: [{ key: 'a', mod: true }], action: 'Select every item', scope: 'Canvas' },
  { id: 'paste-image', combos: [{ key: 'v', mod: true }], action: 'Paste an image onto the board', scope: 'Canvas' },
  { id: 'zoom-in', combos: [{ key: '+' }, { key: '=' }], action: 'Zoom in', scope: 'Canvas' },
  { id: 'zoom-out', combos: [{ key: '-' }], action: 'Zoom out', scope: 'Canvas' },
  { id: 'fit', combos: [{ key: 'f' }], action: 'Fit the board to the screen', scope: 'Canvas' },
  { id: 'trash', combos: [{ key: 'Delete' }], action: 'Move the selected images to the trash', scope: 'Gallery' },
  { id: 'undo-trash', combos: [{ key: 'z', mod: true }], action: 'Undo the last move to the trash', scope: 'Gallery' },
  { id: 'help', combos: [{ key: '?' }], action: 'Show keyboard shortcuts', scope: 'Everywhere' },
  { id: 'page-studio', combos: [{ key: '1' }], action: 'Go to the Studio', scope: 'Everywhere' },
  { id: 'page-gallery', combos: [{ key: '2' }], action: 'Go to the Gallery', scope: 'Everywhere' },
  { id: 'page-models', combos: [{ key: '3' }], action: 'Go to Models', scope: 'Everywhere' },
] as const satisfies readonly Shortcut[];

export type ShortcutId = (typeof shortcuts)[number]['id'];

export function shortcutById(id: ShortcutId): Shortcut {
  const found = shortcuts.find((shortcut) => shortcut.id === id);
  if (!found) {
    throw new Error(`No shortcut ${id}`);
  }
  return found;
}

const keyNames: Record<string, { mac: string; other: string }> = {
  Enter: { mac: '↩', other: 'Enter' },
  Escape: { mac: 'Esc', other: 'Esc' },
  Delete: { mac: '⌦', other: 'Del' },
  Backspace: { mac: '⌫', other: 'Backspace' },
};

/** How a combo is written for the user: `Ctrl+Shift+Z`, or `⌘⇧Z` on macOS. */
export function formatCombo(combo: KeyCombo, mac: boolean): string {
  const name = keyNames[combo.key]?.[mac ? 'mac' : 'other'] ?? (combo.key.length === 1 ? combo.key.toUpperCase() : combo.key);
  if (mac) {
    return `${combo.mod ? '⌘' : ''}${combo.shift ? '⇧' : ''}${name}`;
  }
  return [combo.mod ? 'Ctrl' : null, combo.shift ? 'Shift' : null, name].filter((part) => part !== null).join('+');
}

export interface KeyEventLike {
  key: string;
  ctrlKey: boolean;
  metaKey: boolean;
  shiftKey: boolean;
  altKey: boolean;
}

/** Whether the event is this combo. Shift is part of symbols like `?` and `@`, so it only counts for letters and named keys. */
export function matchesCombo(event: KeyEventLike, combo: KeyCombo, mac: boolean): boolean {
  const mod = mac ? event.metaKey : event.ctrlKey;
  const otherMod = mac ? event.ctrlKey : event.metaKey;
  if (event.altKey || otherMod || mod !== (combo.mod ?? false)) {
    return false;
  }
  const symbol = combo.key.length === 1 && !/[a-z]/i.test(combo.key);
  if (!symbol && event.shiftKey !== (combo.shift ?? false)) {
    return false;
  }
  return event.key.length === 1 ? event.key.toLowerCase() === combo.key.toLowerCase() : event.key === combo.key;
}

export function matchesShortcut(event: KeyEventLike, id: ShortcutId, mac: boolean): boolean {
  return shortcutById(id).combos.some((combo) => matchesCombo(event, combo, mac));
}

/** macOS (⌘) or not, from `navigator`. */
export function isMacPlatform(navigatorLike: { platform?: string; userAgent?: string }): boolean {
  return /mac|iphone|ipad/i.test(navigatorLike.platform || navigatorLike.userAgent || '');
}

/** The parts of an element `isTextEntry` reads; a DOM element has them all. */
export interface TargetLike {
  tagName?: string;
  isContentEditable?: boolean;
  type?: string;
  getAttribute?(name: string): string | null;
}

const nonTextInputs = new Set(['button', 'checkbox', 'color', 'file', 'image', 'radio', 'range', 'reset', 'submit']);

/** Keys typed here belong to the field: shortcuts without a modifier must leave them alone. */
export function isTextEntry(target: TargetLike | null | undefined): boolean {
  if (!target) {
    return false;
  }
  if (target.isContentEditable) {
    return true;
  }
  const tag = (target.tagName ?? '').toUpperCase();
  if (tag === 'TEXTAREA' || tag === 'SELECT') {
    return true;
  }
  if (tag === 'INPUT') {
    return !nonTextInputs.has((target.type ?? 'text').toLowerCase());
  }
  return target.getAttribute?.('role') === 'textbox';
}
