import type { ChildProcessByStdio } from 'node:child_process';
import type { Readable } from 'node:stream';

export type ChildOutput = { code: number | null; stdout: string; stderr: string };

/** Everything a child process printed, once it has closed; rejects only if it could not start. */
export function collectOutput(child: ChildProcessByStdio<null, Readable, Readable>): Promise<ChildOutput> {
  return new Promise((resolve, reject) => {
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** The last `lines` lines of a process's stderr on one line, for an error message. */
export function stderrTail(stderr: string, lines: number): string {
  return stderr.trim().split('\n').slice(-lines).join(' | ');
}
