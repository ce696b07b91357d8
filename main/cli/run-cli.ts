/**
 * `mentor`'s commands and error reporting (the process entry is main.ts).
 * `mentor`: the engine from a terminal. `mentor generate …`, `mentor inspect DIR`, `mentor bench …`.
 * Any failure ends with exit status ≠ 0 and one line `mentor: <reason>` on stderr, no stack trace.
 */
import { isEngineError } from '../engine/errors';
import { UsageError } from './args';
import { benchUsage, runBench } from './bench/bench-command';
import type { CliContext } from './context';
import { generateUsage, runGenerate } from './generate-command';
import { inspectUsage, runInspect } from './inspect-command';

const usage = `usage: mentor <command> [options]
  generate   make image(s) from a bundle, a prompt, reference images and a seed
  inspect    show what a bundle is and check its files' hashes
  bench      measure the engine against the Python baselines (writes bench/results.json)
Run mentor <command> --help for a command's options.`;

const commands: Record<string, { run: (argv: readonly string[], context: CliContext) => Promise<number>; usage: string }> = {
  generate: { run: runGenerate, usage: generateUsage },
  inspect: { run: runInspect, usage: inspectUsage },
  bench: { run: runBench, usage: benchUsage },
};

/** Exit status: 2 a usage mistake, 130 cancelled (as for SIGINT), 1 anything else. */
export function exitStatusFor(error: unknown): number {
  if (error instanceof UsageError) {
    return 2;
  }
  if (isEngineError(error) && error.code === 'cancelled') {
    return 130;
  }
  return 1;
}

/** One line, whatever the error: multi-line native messages are joined, stacks never shown. */
export function errorLine(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const oneLine = message
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== '')
    .join(' ');
  return `mentor: ${oneLine === '' ? 'failed' : oneLine}`;
}

export async function runCli(argv: readonly string[], context: CliContext): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    context.stdout(usage);
    return name === undefined ? 2 : 0;
  }
  const command = commands[name];
  if (command === undefined) {
    throw new UsageError(`unknown command ${JSON.stringify(name)} (commands: ${Object.keys(commands).join(', ')})`);
  }
  return command.run(rest, context);
}
