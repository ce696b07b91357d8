// Finds the Electron binary without ever downloading it, and switches better-sqlite3 between
// Node's ABI (serve, vitest) and Electron's ABI (the app). Used by scripts/start-electron.mjs and
// test/e2e/electron.e2e.ts.
//
// `require('electron')` is no good for a check: when the binary is missing, it starts a download
// and throws. We read the same files it reads (path.txt, dist/) instead.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const electronPackage = path.join(repoRoot, 'node_modules', 'electron');

/**
 * @returns {{ missing: false, path: string, version: string | null } | { missing: true, reason: string }}
 *   `version` is what dist/version says (null when only ELECTRON_OVERRIDE_DIST_PATH is known).
 */
export function findElectronBinary(env = process.env) {
  if (!existsSync(path.join(electronPackage, 'package.json'))) {
    return { missing: true, reason: 'the electron package is not installed (run npm install)' };
  }
  const pathFile = path.join(electronPackage, 'path.txt');
  const executable = existsSync(pathFile) ? readFileSync(pathFile, 'utf8').trim() : null;
  // Same rule as node_modules/electron/index.js: the override folder replaces dist/.
  const override = env.ELECTRON_OVERRIDE_DIST_PATH;
  if (override) {
    const candidate = path.join(override, executable ?? defaultExecutable());
    return existsSync(candidate)
      ? { missing: false, path: candidate, version: readVersion(override) }
      : { missing: true, reason: `ELECTRON_OVERRIDE_DIST_PATH is set but ${candidate} does not exist` };
  }
  if (executable === null) {
    return { missing: true, reason: 'node_modules/electron/path.txt is missing: the binary was never downloaded' };
  }
  const candidate = path.join(electronPackage, 'dist', executable);
  if (!existsSync(candidate)) {
    return { missing: true, reason: `${path.relative(repoRoot, candidate)} does not exist` };
  }
  return { missing: false, path: candidate, version: readVersion(path.join(electronPackage, 'dist')) };
}

/** One attempt at Electron's own download (node_modules/electron/install.js). */
export function downloadElectronBinary() {
  return runQuietly(process.execPath, [path.join(electronPackage, 'install.js')], 300_000);
}

/**
 * Rebuilds native modules (better-sqlite3) for Electron's ABI. The app cannot load a module built
 * for Node's ABI ("was compiled against a different Node.js version"), so run this before launching.
 */
export function useElectronAbi() {
  return runQuietly(process.execPath, [path.join(repoRoot, 'node_modules', 'electron-builder', 'cli.js'), 'install-app-deps'], 600_000);
}

/**
 * Rebuilds better-sqlite3 for the Node that runs this script again, so that `npm run serve` and
 * the tests (plain Node) work after the app has exited.
 */
export function useNodeAbi() {
  return runQuietly(npmCommand(), ['rebuild', 'better-sqlite3'], 600_000);
}

/** Runs a command with its output captured; on failure gives one short line instead of a stack. */
function runQuietly(command, args, timeoutMs) {
  const result = spawnSync(command, args, {
    cwd: repoRoot,
    encoding: 'utf8',
    timeout: timeoutMs,
    // npm is a .cmd file on Windows, which only a shell can start.
    shell: process.platform === 'win32' && command.endsWith('.cmd'),
  });
  if (result.error) {
    return { ok: false, reason: result.error.message };
  }
  if (result.status !== 0) {
    return { ok: false, reason: shortReason(`${result.stderr}\n${result.stdout}`) ?? `exit code ${result.status}` };
  }
  return { ok: true };
}

/** The first line that says what went wrong, without the stack frames below it. */
export function shortReason(output) {
  const lines = output
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('at ') && !/^npm (warn|notice)/i.test(line));
  const line = lines.find((candidate) => /error|ENOTFOUND|EAI_AGAIN|ECONN|ETIMEDOUT|refused/i.test(candidate)) ?? lines[0];
  if (line === undefined) {
    return null;
  }
  const withoutPrefix = line.replace(/^(\w*Error|npm ERR!|npm error):?\s*/i, '');
  return withoutPrefix.length > 200 ? `${withoutPrefix.slice(0, 199)}…` : withoutPrefix;
}

function readVersion(distFolder) {
  try {
    return readFileSync(path.join(distFolder, 'version'), 'utf8').trim().replace(/^v/, '');
  } catch {
    return null;
  }
}

function defaultExecutable() {
  return 'electron';
}

function npmCommand() {
  return process.platform === 'win32' ? 'npm.cmd' : 'npm';
}
