/**
 * The file names references were imported under, by asset hash, remembered in this browser. The
 * library keeps the name an image was first imported under (`BoardItem.name`), which wins; this map
 * only names what the library cannot (the same bytes dropped again under a new name show the newest
 * name until reload). An image whose name is not known anywhere is called "image".
 */
import { readLocal, writeLocal } from '../state/local-storage';

export const assetNamesKey = 'mentor-studio.canvas.assetNames';
/** Old names fall off first; a board rarely holds more than a few hundred references. */
export const maxRememberedNames = 2000;

export type AssetNames = Readonly<Record<string, string>>;

export function parseAssetNames(raw: string | null): AssetNames {
  if (raw === null) {
    return {};
  }
  try {
    const value: unknown = JSON.parse(raw);
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      return {};
    }
    const names: Record<string, string> = {};
    for (const [sha, name] of Object.entries(value)) {
      if (/^[0-9a-f]{64}$/.test(sha) && typeof name === 'string' && name !== '') {
        names[sha] = name;
      }
    }
    return names;
  } catch {
    return {};
  }
}

/** Adds (or refreshes) one name; the newest stay when there are more than `limit`. */
export function withAssetName(names: AssetNames, sha256: string, name: string, limit = maxRememberedNames): AssetNames {
  const cleaned = cleanFileName(name);
  if (cleaned === '') {
    return names;
  }
  const entries = Object.entries(names).filter(([sha]) => sha !== sha256);
  entries.push([sha256, cleaned]);
  return Object.fromEntries(entries.slice(Math.max(0, entries.length - limit)));
}

/** A file name without any folder part and without control characters, at most 120 characters. */
export function cleanFileName(name: string): string {
  const base = name.split(/[\\/]/).pop() ?? '';
  // eslint-disable-next-line no-control-regex
  return base.replace(/[\u0000-\u001f\u007f]/g, '').trim().slice(0, 120);
}

export function loadAssetNames(): AssetNames {
  return parseAssetNames(readLocal(assetNamesKey));
}

export function saveAssetNames(names: AssetNames): void {
  writeLocal(assetNamesKey, JSON.stringify(names));
}
