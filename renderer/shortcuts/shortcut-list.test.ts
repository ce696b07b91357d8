import { describe, expect, it } from 'vitest';
import { formatCombo, isMacPlatform, isTextEntry, matchesShortcut, shortcuts, type KeyEventLike } from './shortcut-list';

const key = (value: string, extra: Partial<KeyEventLike> = {}): KeyEventLike => ({
  key: value,
  ctrlKey: false,
  metaKey: false,
  shiftKey: false,
  altKey: false,
  ...extra,
});

describe('shortcut list', () => {
  it('lists each shortcut the studio promises, with unique ids', () => {
    const ids = shortcuts.map((shortcut) => shortcut.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ['generate', 'cancel', 'delete', 'undo', 'redo', 'paste-image', 'pick-reference', 'help']) {
      expect(ids).toContain(id);
    }
  });

  it('writes combos with Ctrl elsewhere and ⌘ on macOS', () => {
    expect(formatCombo({ key: 'z', mod: true, shift: true }, false)).toBe('Ctrl+Shift+Z');
    expect(formatCombo({ key: 'z', mod: true, shift: true }, true)).toBe('⌘⇧Z');
    expect(formatCombo({ key: 'Enter', mod: true }, false)).toBe('Ctrl+Enter');
    expect(formatCombo({ key: 'Escape' }, false)).toBe('Esc');
    expect(formatCombo({ key: '?' }, true)).toBe('?');
  });

  it('matches the platform modifier only, and tells undo from redo', () => {
    expect(matchesShortcut(key('z', { ctrlKey: true }), 'undo', false)).toBe(true);
    expect(matchesShortcut(key('z', { metaKey: true }), 'undo', false)).toBe(false);
    expect(matchesShortcut(key('z', { metaKey: true }), 'undo', true)).toBe(true);
    expect(matchesShortcut(key('Z', { ctrlKey: true, shiftKey: true }), 'undo', false)).toBe(false);
    expect(matchesShortcut(key('Z', { ctrlKey: true, shiftKey: true }), 'redo', false)).toBe(true);
    expect(matchesShortcut(key('Enter', { ctrlKey: true }), 'generate', false)).toBe(true);
    expect(matchesShortcut(key('Enter'), 'generate', false)).toBe(false);
  });

  it('accepts symbols typed with Shift, and refuses Alt combinations', () => {
    expect(matchesShortcut(key('?', { shiftKey: true }), 'help', false)).toBe(true);
    expect(matchesShortcut(key('Escape'), 'cancel', false)).toBe(true);
    expect(matchesShortcut(key('Escape', { altKey: true }), 'cancel', false)).toBe(false);
    expect(matchesShortcut(key('2'), 'page-gallery', false)).toBe(true);
  });

  it('knows macOS from its platform string', () => {
    expect(isMacPlatform({ platform: 'MacIntel' })).toBe(true);
    expect(isMacPlatform({ platform: 'Linux x86_64' })).toBe(false);
    expect(isMacPlatform({ platform: '', userAgent: 'Mozilla/5.0 (Windows NT 10.0)' })).toBe(false);
  });

  it('treats text fields and editable elements as typing targets, and buttons as not', () => {
    expect(isTextEntry({ tagName: 'INPUT', type: 'search' })).toBe(true);
    expect(isTextEntry({ tagName: 'INPUT', type: 'checkbox' })).toBe(false);
    expect(isTextEntry({ tagName: 'TEXTAREA' })).toBe(true);
    expect(isTextEntry({ tagName: 'DIV', isContentEditable: true })).toBe(true);
    expect(isTextEntry({ tagName: 'DIV', getAttribute: (name) => (name === 'role' ? 'textbox' : null) })).toBe(true);
    expect(isTextEntry({ tagName: 'BUTTON' })).toBe(false);
    expect(isTextEntry(null)).toBe(false);
  });
});
