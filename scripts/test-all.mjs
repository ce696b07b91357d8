// `npm test`: every check in order — typecheck, lint, vitest, pytest, Playwright — even when an
// earlier one fails, then one summary per runner and a total. Exits non-zero if any part failed.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

const parts = [
  { name: 'typecheck', command: 'npm', args: ['run', '--silent', 'typecheck'] },
  { name: 'lint', command: 'npm', args: ['run', '--silent', 'lint'] },
  { name: 'build', command: 'npm', args: ['run', '--silent', 'build'] },
  { name: 'vitest', command: 'npx', args: ['vitest', 'run'], counts: vitestCounts },
  { name: 'pytest', command: 'bash', args: ['native-models/run-pytest.sh', '-q'], counts: pytestCounts },
  { name: 'playwright', command: 'npx', args: ['playwright', 'test'], counts: playwrightCounts },
];

function run(part) {
  return new Promise((resolve) => {
    const started = Date.now();
    let output = '';
    const child = spawn(part.command, part.args, {
      cwd: root,
      env: { ...process.env, FORCE_COLOR: '0', NO_COLOR: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const keep = (chunk, stream) => {
      output += chunk.toString();
      stream.write(chunk);
    };
    child.stdout.on('data', (chunk) => keep(chunk, process.stdout));
    child.stderr.on('data', (chunk) => keep(chunk, process.stderr));
    child.on('close', (code) => resolve({ code: code ?? 1, output, seconds: (Date.now() - started) / 1000 }));
    child.on('error', (error) => resolve({ code: 1, output: String(error), seconds: 0 }));
  });
}

function count(text, word) {
  const match = new RegExp(`(\\d+) ${word}`).exec(text);
  return match ? Number(match[1]) : 0;
}

function vitestCounts(output) {
  const line = output.split('\n').find((l) => /^\s*Tests\s+\d/.test(l)) ?? '';
  return { passed: count(line, 'passed'), failed: count(line, 'failed'), skipped: count(line, 'skipped') };
}

function pytestCounts(output) {
  const lines = output.trim().split('\n');
  const line = [...lines].reverse().find((l) => /\d+ (passed|failed|error)/.test(l)) ?? '';
  return { passed: count(line, 'passed'), failed: count(line, 'failed') + count(line, 'error'), skipped: count(line, 'skipped') };
}

function playwrightCounts(output) {
  const tail = output.split('\n').filter((l) => /^\s+\d+ (passed|failed|skipped|flaky|did not run)/.test(l)).join('\n');
  return { passed: count(tail, 'passed'), failed: count(tail, 'failed') + count(tail, 'flaky'), skipped: count(tail, 'skipped') };
}

const results = [];
for (const part of parts) {
  console.log(`\n━━━ ${part.name} ━━━`);
  const result = await run(part);
  results.push({ part, ...result, counts: part.counts?.(result.output) });
}

console.log('\n━━━ summary ━━━');
const total = { passed: 0, failed: 0, skipped: 0 };
for (const { part, code, seconds, counts } of results) {
  const status = code === 0 ? 'ok  ' : 'FAIL';
  const detail = counts ? `${counts.passed} passed, ${counts.failed} failed, ${counts.skipped} skipped` : '';
  console.log(`${status} ${part.name.padEnd(10)} ${seconds.toFixed(1).padStart(6)} s  ${detail}`);
  if (counts) {
    total.passed += counts.passed;
    total.failed += counts.failed;
    total.skipped += counts.skipped;
  }
}
const failedParts = results.filter((r) => r.code !== 0).map((r) => r.part.name);
if (failedParts.length > 0) {
  console.log(`failed parts: ${failedParts.join(', ')}`);
  total.failed = Math.max(total.failed, 1);
}
console.log(`total: ${total.passed} passed, ${total.failed} failed, ${total.skipped} skipped`);
process.exit(failedParts.length > 0 ? 1 : 0);
