// `npm run serve [-- --port N --home DIR --host ADDRESS]`: builds what is missing or stale, then runs
// the studio's services in plain Node and prints the link to open.
import { spawn } from 'node:child_process';
import { existsSync, statSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const entry = path.join(root, 'out', 'main', 'serve.cjs');

function newestMtime(dir) {
  let newest = 0;
  for (const item of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, item.name);
    newest = Math.max(newest, item.isDirectory() ? newestMtime(full) : statSync(full).mtimeMs);
  }
  return newest;
}

const built = existsSync(entry) && existsSync(path.join(root, 'out', 'renderer', 'index.html'));
const stale =
  !built ||
  ['main', 'preload', 'renderer'].some((dir) => newestMtime(path.join(root, dir)) > statSync(entry).mtimeMs);
if (stale) {
  const { buildMain, buildRenderer } = await import('./build.mjs');
  await buildMain();
  await buildRenderer();
}

const child = spawn(process.execPath, [entry, ...process.argv.slice(2)], { stdio: 'inherit' });
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => child.kill(signal));
}
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
