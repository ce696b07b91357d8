import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

export type AtomicWriteOptions = {
  /**
   * Test seam: runs after the temp file is written and synced, before the rename. A test throws here
   * to stand in for a crash at the worst moment.
   */
  beforeRename?: (tempPath: string) => void;
};

/** Temp files start with a dot and end in `.tmp`, so a later sweep can find leftovers of a real crash. */
export const temporaryFileSuffix = '.tmp';

/**
 * Writes `bytes` so that `finalPath` either does not change or holds all of them, even across a crash or
 * power loss: temp file in the same folder (rename is only atomic within one file system), write, fsync,
 * rename over the final name, fsync the folder so the rename itself is on disk.
 */
export function writeFileAtomic(finalPath: string, bytes: Uint8Array, options: AtomicWriteOptions = {}): void {
  const folder = path.dirname(finalPath);
  fs.mkdirSync(folder, { recursive: true });
  const tempPath = path.join(folder, `.${path.basename(finalPath)}.${randomBytes(6).toString('hex')}${temporaryFileSuffix}`);
  try {
    const fd = fs.openSync(tempPath, 'wx');
    try {
      fs.writeSync(fd, bytes);
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    options.beforeRename?.(tempPath);
    fs.renameSync(tempPath, finalPath);
  } catch (error) {
    fs.rmSync(tempPath, { force: true });
    throw error;
  }
  fsyncDirectory(folder);
}

/** Flushes a file that something else wrote (e.g. SQLite's `VACUUM INTO`) to disk. */
export function fsyncFile(file: string): void {
  const fd = fs.openSync(file, 'r+');
  try {
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * Makes a rename or a new file in `folder` durable. Windows cannot open a folder for fsync, and NTFS
 * journals renames itself, so there it is skipped.
 */
export function fsyncDirectory(folder: string): void {
  if (process.platform === 'win32') {
    return;
  }
  const fd = fs.openSync(folder, 'r');
  try {
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}
