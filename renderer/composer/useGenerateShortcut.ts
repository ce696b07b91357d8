/**
 * Ctrl/⌘+Enter generates from anywhere on the Studio page — in the prompt too, where the shared
 * shortcut hook would leave the key to the text field — but never while a dialog is open.
 */
import { useEffect, useRef } from 'react';
import { matchesShortcut } from '../shortcuts/shortcut-list';
import { platformIsMac } from '../shortcuts/useKeyboardShortcut';

export function useGenerateShortcut(generate: () => void): void {
  const latest = useRef(generate);
  useEffect(() => {
    latest.current = generate;
  });
  useEffect(() => {
    const onKeyDown = (event: KeyboardEvent) => {
      if (event.repeat || event.isComposing || !matchesShortcut(event, 'generate', platformIsMac)) {
        return;
      }
      if (document.querySelector('[role="dialog"], [role="alertdialog"]') !== null) {
        return;
      }
      event.preventDefault();
      latest.current();
    };
    window.addEventListener('keydown', onKeyDown);
    return () => window.removeEventListener('keydown', onKeyDown);
  }, []);
}
