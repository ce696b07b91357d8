#!/usr/bin/env node
// `mentor …` (npx mentor, node bin/mentor.cjs): builds main (esbuild, a second or two) when
// out/main/cli.cjs is missing or older than a file under main/ or preload/, then runs it here.
'use strict';
/* eslint-disable @typescript-eslint/no-require-imports -- a CommonJS launcher: it must run before anything is built */
const fs = require('node:fs');
const path = require('node:path');
const { pathToFileURL } = require('node:url');

const root = path.resolve(__dirname, '..');
const entry = path.join(root, 'out', 'main', 'cli.cjs');

function newestMtime(dir) {
  let newest = 0;
  for (const item of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, item.name);
    newest = Math.max(newest, item.isDirectory() ? newestMtime(full) : fs.statSync(full).mtimeMs);
  }
  return newest;
}

function isStale() {
  if (!fs.existsSync(entry)) {
    return true;
  }
  const built = fs.statSync(entry).mtimeMs;
  return ['main', 'preload'].some((dir) => fs.existsSync(path.join(root, dir)) && newestMtime(path.join(root, dir)) > built);
}

async function main() {
  if (isStale()) {
    const { buildMain } = await import(pathToFileURL(path.join(root, 'scripts', 'build.mjs')).href);
    await buildMain();
  }
  require(entry);
}

main().catch((error) => {
  const message = (error instanceof Error ? error.message : String(error)).split('\n')[0];
  process.stderr.write(`mentor: could not build the command line: ${message}\n`);
  process.exit(1);
});
