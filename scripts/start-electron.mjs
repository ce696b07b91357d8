// `npm start`: build, make sure there is an Electron binary, launch the studio in it.
//
// Native modules: better-sqlite3 is compiled for one ABI at a time. Electron's differs from the
// Node that runs `serve` and the tests, so we rebuild it for Electron before launching
// (electron-builder install-app-deps) and back for Node after the app exits (npm rebuild), or
// the next `npm run serve` / `npm test` would fail to load it.
import { spawn, spawnSync } from 'node:child_process';
import process from 'node:process';
import { downloadElectronBinary, findElectronBinary, repoRoot, useElectronAbi, useNodeAbi } from './electron-binary.mjs';

function fail(message) {
  console.error(`npm start: ${message}`);
  process.exit(1);
}

const build = spawnSync(process.execPath, ['scripts/build.mjs'], { cwd: repoRoot, stdio: 'inherit' });
if (build.status !== 0) {
  fail('the build failed (see above).');
}

let binary = findElectronBinary();
if (binary.missing) {
  console.log('npm start: no Electron binary installed; trying to download it once…');
  const download = downloadElectronBinary();
  binary = findElectronBinary();
  if (binary.missing) {
    const reason = download.ok ? binary.reason : `download: ${download.reason}`;
    fail(
      `the Electron binary is not installed and could not be downloaded (${reason}).\n` +
        'Run the studio in your browser instead: npm run serve',
    );
  }
}

console.log('npm start: rebuilding native modules for Electron…');
const electronAbi = useElectronAbi();
if (!electronAbi.ok) {
  // Try to leave Node's build in place rather than a half-rebuilt module.
  useNodeAbi();
  fail(`could not rebuild native modules for Electron (${electronAbi.reason}). Run the studio with: npm run serve`);
}

// Started on the repository root, not on out/main/electron.cjs: Electron then reads package.json
// (its "main" points at the bundle) and the app gets its own name, version and data folder.
const env = { ...process.env };
delete env.ELECTRON_RUN_AS_NODE;
const app = spawn(binary.path, [repoRoot, ...process.argv.slice(2)], { cwd: repoRoot, stdio: 'inherit', env });

// Ctrl-C reaches the app too (same process group); we stay alive to restore Node's build after it.
const forward = (signal) => {
  if (app.exitCode === null && app.signalCode === null) {
    app.kill(signal);
  }
};
process.on('SIGINT', () => forward('SIGINT'));
process.on('SIGTERM', () => forward('SIGTERM'));

app.on('error', (error) => {
  console.error(`npm start: could not launch ${binary.path}: ${error.message}`);
});
app.on('close', (code, signal) => {
  console.log('npm start: the studio has exited; rebuilding native modules for Node…');
  const nodeAbi = useNodeAbi();
  if (!nodeAbi.ok) {
    console.error(`npm start: could not rebuild better-sqlite3 for Node (${nodeAbi.reason}). Run: npm rebuild better-sqlite3`);
    process.exit(1);
  }
  process.exit(code ?? (signal ? 1 : 0));
});
