/** How the Models page writes sizes and import progress. */

const units = ['B', 'KB', 'MB', 'GB', 'TB'] as const;

/** "812 B", "3.4 MB", "12 GB" (1000-based, like file managers on Linux and macOS). */
export function formatBytes(bytes: number): string {
  let value = bytes;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit += 1;
  }
  const digits = unit === 0 || value >= 100 ? 0 : 1;
  return `${value.toFixed(digits)} ${units[unit]}`;
}

export interface ImportProgress {
  file: string;
  doneBytes: number;
  totalBytes: number;
}

/** Percent for the progress bar; null while the total is not known yet. */
export function importPercent(progress: ImportProgress): number | null {
  if (progress.totalBytes <= 0) {
    return null;
  }
  return Math.min(100, (progress.doneBytes / progress.totalBytes) * 100);
}

/** "Checking decode.onnx · 120.0 MB of 1.2 GB". */
export function importProgressText(progress: ImportProgress): string {
  const file = progress.file.split(/[\\/]/).at(-1) ?? progress.file;
  if (progress.totalBytes <= 0) {
    return `Checking ${file}`;
  }
  return `Checking ${file} · ${formatBytes(progress.doneBytes)} of ${formatBytes(progress.totalBytes)}`;
}
