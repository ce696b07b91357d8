import { describe, expect, it } from 'vitest';
import { canvasKeyAction, isTextEntry, type KeyPress } from './keyboard';

function press(key: string, modifiers: Partial<Omit<KeyPress, 'key'>> = {}): KeyPress {
  return { key, ctrlKey: false, metaKey: false, shiftKey: false, altKey: false, ...modifiers };
}

describe('canvas keys', () => {
  it('Delete and Backspace delete', () => {
    expect(canvasKeyAction(press('Delete'))).toBe('delete');
    expect(canvasKeyAction(press('Backspace'))).toBe('delete');
  });

  it('Ctrl/Cmd+Z undoes; Ctrl/Cmd+Shift+Z and Ctrl+Y redo', () => {
    expect(canvasKeyAction(press('z', { ctrlKey: true }))).toBe('undo');
    expect(canvasKeyAction(press('z', { metaKey: true }))).toBe('undo');
    // With Shift held, browsers report the key as upper case.
    expect(canvasKeyAction(press('Z', { ctrlKey: true, shiftKey: true }))).toBe('redo');
    expect(canvasKeyAction(press('Z', { metaKey: true, shiftKey: true }))).toBe('redo');
    expect(canvasKeyAction(press('y', { ctrlKey: true }))).toBe('redo');
  });

  it('plain letters and unrelated chords are not canvas commands', () => {
    expect(canvasKeyAction(press('z'))).toBeNull();
    expect(canvasKeyAction(press('c', { ctrlKey: true }))).toBeNull();
    expect(canvasKeyAction(press('z', { ctrlKey: true, altKey: true }))).toBeNull();
    expect(canvasKeyAction(press('Enter', { ctrlKey: true }))).toBeNull();
  });

  it('zoom and fit keys', () => {
    expect(canvasKeyAction(press('+', { shiftKey: true }))).toBe('zoom-in');
    expect(canvasKeyAction(press('='))).toBe('zoom-in');
    expect(canvasKeyAction(press('-'))).toBe('zoom-out');
    expect(canvasKeyAction(press('f'))).toBe('fit');
    expect(canvasKeyAction(press('a', { ctrlKey: true }))).toBe('select-all');
  });

  it('knows where typing is text', () => {
    expect(isTextEntry({ tagName: 'INPUT', type: 'text' })).toBe(true);
    expect(isTextEntry({ tagName: 'input', type: 'number' })).toBe(true);
    expect(isTextEntry({ tagName: 'INPUT', type: 'checkbox' })).toBe(false);
    expect(isTextEntry({ tagName: 'TEXTAREA' })).toBe(true);
    expect(isTextEntry({ tagName: 'DIV', isContentEditable: true })).toBe(true);
    expect(isTextEntry({ tagName: 'BUTTON' })).toBe(false);
    expect(isTextEntry(null)).toBe(false);
  });
});
