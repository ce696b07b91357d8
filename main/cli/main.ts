/**
 * The `mentor` process: argv in, exit status out, Ctrl-C → cancel (a second Ctrl-C quits at once).
 * Any failure ends with one line `mentor: <reason>` on stderr and no stack trace.
 */
import type { CliContext } from './context';
import { errorLine, exitStatusFor, runCli } from './run-cli';

async function main(): Promise<void> {
  const controller = new AbortController();
  let interrupts = 0;
  const onSignal = (): void => {
    interrupts++;
    if (interrupts === 1) {
      process.stderr.write('\ncancelling… (Ctrl-C again to quit at once)\n');
      controller.abort();
    } else {
      process.stderr.write('mentor: interrupted\n');
      process.exit(130);
    }
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const context: CliContext = {
    stdout: (line) => process.stdout.write(`${line}\n`),
    stderr: (line) => process.stderr.write(`${line}\n`),
    signal: controller.signal,
  };
  let status: number;
  try {
    status = await runCli(process.argv.slice(2), context);
  } catch (error) {
    process.stderr.write(`${errorLine(error)}\n`);
    status = exitStatusFor(error);
  }
  // Flush stdout/stderr before leaving; onnxruntime's thread pools would otherwise keep the process up.
  process.exitCode = status;
  process.stdout.write('', () => process.stderr.write('', () => process.exit(status)));
}

process.on('uncaughtException', (error) => {
  process.stderr.write(`${errorLine(error)}\n`);
  process.exit(1);
});
process.on('unhandledRejection', (error) => {
  process.stderr.write(`${errorLine(error)}\n`);
  process.exit(1);
});

void main();
