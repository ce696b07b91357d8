/**
 * Runs `handler` when a listed shortcut is pressed anywhere in the window, unless the key belongs to
 * something else: a text field, an open dialog or menu, or a handler
 * that already took the event (`preventDefault`).
 */
import { useEffect, useRef } from 'react';
import { isMacPlatform, isTextEntry, matchesShortcut, type ShortcutId } from './shortcut-list';

export const platformIsMac = typeof navigator !== 'undefined' && isMacPlatform(navigator);

function ownedElsewhere(event: KeyboardEvent): boolean {
  const target = event.target instanceof HTMLElement ? event.target : null;
  // Keys typed in a field are the field's, Ctrl+Z included (it undoes typing, not the page's last action).
  if (isTextEntry(target)) {
    return true;
  }
  return (target?.closest('[role="dialog"], [role="menu"], [role="listbox"]') ?? null) !== null;
}

export function useKeyboardShortcut(id: ShortcutId, handler: (event: KeyboardEvent) => void, enabled = true): void {
  const latest = useRef(handler);
  useEffect(() => {
    latest.current = handler;
  });
  useEffect(() => {
    if (!enabled) {
      return;
    }
    const onKeyDown = (event: KeyboardEvent) => {
      if (event.defaultPrevented || event.repeat || !matchesShortcut(event, id, platformIsMac) || ownedElsewhere(event)) {
        return;
      }
      latest.current(event);
    };
    window.addEventListener('keydown', onKeyDown);
    return () => window.removeEventListener('keydown', onKeyDown);
  }, [id, enabled]);
}
