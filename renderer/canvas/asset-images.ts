/**
 * Library images decoded once per URL and shared by every canvas item that shows them (a reference
 * used on several boards, a result and its copies). Konva draws an HTMLImageElement; React reads the
 * load state through `useAssetImage`, so an item can show "loading" and "could not be loaded".
 */
import { useSyncExternalStore } from 'react';

export type AssetImageState =
  | { status: 'loading' }
  | { status: 'loaded'; image: HTMLImageElement }
  | { status: 'failed' };

interface Entry {
  state: AssetImageState;
  listeners: Set<() => void>;
}

const entries = new Map<string, Entry>();
const loadingState: AssetImageState = { status: 'loading' };

function entryFor(url: string): Entry {
  let entry = entries.get(url);
  if (entry !== undefined) {
    return entry;
  }
  const created: Entry = { state: loadingState, listeners: new Set() };
  entries.set(url, created);
  const image = new Image();
  image.decoding = 'async';
  const settle = (state: AssetImageState) => {
    created.state = state;
    for (const listener of [...created.listeners]) {
      listener();
    }
  };
  image.onload = () => settle({ status: 'loaded', image });
  image.onerror = () => settle({ status: 'failed' });
  image.src = url;
  entry = created;
  return entry;
}

export function useAssetImage(url: string): AssetImageState {
  return useSyncExternalStore(
    (listener) => {
      const entry = entryFor(url);
      entry.listeners.add(listener);
      return () => {
        entry.listeners.delete(listener);
      };
    },
    () => entryFor(url).state,
  );
}

/**
 * The pixel size of a library image, for placing it with the right aspect; null when it cannot be
 * read within `timeoutMs` (the caller then uses a square).
 */
export function loadImageSize(url: string, timeoutMs = 10_000): Promise<{ width: number; height: number } | null> {
  return new Promise((resolve) => {
    const image = new Image();
    const timer = window.setTimeout(() => resolve(null), timeoutMs);
    image.onload = () => {
      window.clearTimeout(timer);
      resolve({ width: image.naturalWidth, height: image.naturalHeight });
    };
    image.onerror = () => {
      window.clearTimeout(timer);
      resolve(null);
    };
    image.src = url;
  });
}
