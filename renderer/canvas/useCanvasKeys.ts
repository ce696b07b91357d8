/**
 * Keys on the canvas region (see keyboard.ts for which): commands, and Space held for panning, which
 * counts only while the board surface itself has focus (Space on a button presses the button).
 */
import { useEffect, useRef, useState, type KeyboardEvent, type RefObject } from 'react';
import { canvasKeyAction, isTextEntry, type CanvasKeyAction } from './keyboard';

export function useCanvasKeys(surface: RefObject<HTMLElement | null>, run: (action: CanvasKeyAction) => void) {
  const [spaceHeld, setSpaceHeld] = useState(false);
  const spaceRef = useRef(false);
  const setSpace = (held: boolean) => {
    if (spaceRef.current !== held) {
      spaceRef.current = held;
      setSpaceHeld(held);
    }
  };
  const setSpaceRef = useRef(setSpace);
  setSpaceRef.current = setSpace;

  // A window that loses focus never sees the key go up.
  useEffect(() => {
    const release = () => setSpaceRef.current(false);
    window.addEventListener('blur', release);
    return () => window.removeEventListener('blur', release);
  }, []);

  const onKeyDown = (event: KeyboardEvent<HTMLElement>) => {
    if (isTextEntry(event.target as HTMLElement)) {
      return;
    }
    if (event.key === ' ' && event.target === surface.current) {
      event.preventDefault();
      setSpace(true);
      return;
    }
    const action = canvasKeyAction(event);
    if (action !== null) {
      event.preventDefault();
      run(action);
    }
  };

  const onKeyUp = (event: KeyboardEvent<HTMLElement>) => {
    if (event.key === ' ') {
      setSpace(false);
    }
  };

  return { spaceHeld, spaceRef, onKeyDown, onKeyUp };
}
