/**
 * localStorage that never throws (storage can be disabled or full). Holds view preferences only —
 * theme, selected board — never tokens or anything from the library.
 */

export const storageKeys = {
  theme: 'mentor-studio.theme',
  selectedBoardId: 'mentor-studio.selectedBoardId',
  selectedModelId: 'mentor-studio.selectedModelId',
} as const;

export function readLocal(key: string): string | null {
  try {
    return window.localStorage.getItem(key);
  } catch {
    return null;
  }
}

export function writeLocal(key: string, value: string | null): void {
  try {
    if (value === null) {
      window.localStorage.removeItem(key);
    } else {
      window.localStorage.setItem(key, value);
    }
  } catch {
    // A preference that is not remembered is not worth an error message.
  }
}
