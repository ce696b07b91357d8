/**
 * How the canvas talks to the prompt composer without either importing the other: the composer
 * registers a handle, the canvas (and the gallery) call it. One board view has one composer.
 */
import { createContext, use, useMemo, useRef, type ReactNode } from 'react';
import type { ImageMetadata } from '../../preload/contract';

export interface ComposerHandle {
  /** Appends an `<image>` chip bound to this canvas item at the caret (or the end of the prompt). */
  addReference(itemId: string): void;
  /**
   * Fills prompt, seed and parameters from a generated PNG's metadata; `referenceItemIds[i]` is the
   * canvas item now holding reference i (null when that image is not in the library).
   */
  restore(metadata: ImageMetadata, referenceItemIds: (string | null)[]): void;
  /** Starts a generation as the Generate button would (Ctrl/Cmd+Enter). */
  generate(): void;
}

interface ComposerBridge {
  /** The composer calls this once mounted, and with null when it unmounts. */
  register(handle: ComposerHandle | null): void;
  /** The current composer, or null when none is mounted. */
  current(): ComposerHandle | null;
}

const ComposerBridgeContext = createContext<ComposerBridge | null>(null);

export function ComposerBridgeProvider({ children }: { children: ReactNode }) {
  const handle = useRef<ComposerHandle | null>(null);
  const bridge = useMemo<ComposerBridge>(
    () => ({
      register: (next) => {
        handle.current = next;
      },
      current: () => handle.current,
    }),
    [],
  );
  return <ComposerBridgeContext value={bridge}>{children}</ComposerBridgeContext>;
}

export function useComposerBridge(): ComposerBridge {
  const bridge = use(ComposerBridgeContext);
  if (!bridge) {
    throw new Error('useComposerBridge needs a ComposerBridgeProvider');
  }
  return bridge;
}
