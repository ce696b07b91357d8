// One build for the three processes: main (Electron entry, serve entry, `mentor` CLI, engine worker) and the preload with
// esbuild, the renderer with Vite. Usage: node scripts/build.mjs [--main-only]
import { build as esbuild } from 'esbuild';
import { build as viteBuild } from 'vite';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const { version } = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8'));

// Native modules and Electron stay outside the bundle: they are loaded from node_modules at run time.
const nativeExternals = ['electron', 'better-sqlite3', 'onnxruntime-node', 'sharp'];

export async function buildMain() {
  const common = {
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    sourcemap: 'linked',
    logLevel: 'warning',
    define: { __STUDIO_VERSION__: JSON.stringify(version) },
    absWorkingDir: root,
  };
  await Promise.all([
    esbuild({
      ...common,
      entryPoints: { 'main/serve': 'main/serve/cli.ts', 'main/electron': 'main/electron/main.ts' },
      outdir: 'out',
      outExtension: { '.js': '.cjs' },
      external: nativeExternals,
    }),
    // The engine worker process (main/engine/worker), started by the supervisor in main.
    esbuild({
      ...common,
      entryPoints: { 'main/engine-worker': 'main/engine/worker/engine-worker.ts' },
      outdir: 'out',
      outExtension: { '.js': '.cjs' },
      external: [...nativeExternals, '@huggingface/tokenizers'],
    }),
    // The `mentor` command line (main/cli): generate, inspect, bench; bin/mentor.cjs runs it.
    esbuild({
      ...common,
      entryPoints: { 'main/cli': 'main/cli/main.ts' },
      outdir: 'out',
      outExtension: { '.js': '.cjs' },
      external: [...nativeExternals, '@huggingface/tokenizers'],
    }),
    // The preload is one self-contained file (only `electron` outside) so the renderer stays sandboxed.
    esbuild({
      ...common,
      entryPoints: { 'preload/preload': 'preload/index.ts' },
      outdir: 'out',
      outExtension: { '.js': '.cjs' },
      external: ['electron'],
      // zod comes along through the contract; minifying keeps the sandboxed preload small.
      minify: true,
    }),
  ]);
}

export async function buildRenderer() {
  await viteBuild({ configFile: path.join(root, 'vite.config.ts'), logLevel: 'warn' });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const mainOnly = process.argv.includes('--main-only');
  const started = Date.now();
  await buildMain();
  if (!mainOnly) {
    await buildRenderer();
  }
  console.log(`build: ${mainOnly ? 'main + preload' : 'main, preload and renderer'} in ${Date.now() - started} ms → out/`);
}
