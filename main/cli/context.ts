/** What a command talks to: its output streams and the cancel signal (Ctrl-C). Tests pass their own. */
export type CliContext = {
  stdout(line: string): void;
  stderr(line: string): void;
  signal: AbortSignal;
};
