// `npm run bench [-- options]`: builds main (esbuild), then runs `mentor bench` (main/cli/bench/), which
// measures the TypeScript engine against the Python onnxruntime per-token loop and the PyTorch eager
// reference on the same weights, prints a table and writes bench/results.json. Options: --help.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildMain } from '../scripts/build.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
await buildMain();
const child = spawn(process.execPath, [path.join(root, 'out', 'main', 'cli.cjs'), 'bench', ...process.argv.slice(2)], {
  cwd: root,
  stdio: 'inherit',
});
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => child.kill(signal));
}
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
