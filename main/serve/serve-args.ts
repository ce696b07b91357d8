export type ServeArgs = {
  port: number;
  host: string;
  home: string | undefined;
  /** Print the link only; do not try to open a browser. */
  open: boolean;
};

export const serveUsage = 'usage: npm run serve [-- --port N] [--home DIR] [--host ADDRESS] [--open]';

/** Parses `serve` flags; throws an Error whose message is meant for the terminal as it is. */
export function parseServeArgs(argv: string[]): ServeArgs {
  const args: ServeArgs = { port: 0, host: '127.0.0.1', home: undefined, open: false };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i] ?? '';
    const [name, inline] = flag.startsWith('--') && flag.includes('=') ? flag.split(/=(.*)/s, 2) : [flag, undefined];
    const value = (): string => {
      const next = inline ?? argv[++i];
      if (next === undefined || next === '') {
        throw new Error(`${name} needs a value. ${serveUsage}`);
      }
      return next;
    };
    switch (name) {
      case '--port': {
        const raw = value();
        const port = Number(raw);
        if (!Number.isInteger(port) || port < 0 || port > 65535) {
          throw new Error(`--port must be a whole number from 0 to 65535, got "${raw}"`);
        }
        args.port = port;
        break;
      }
      case '--host':
        args.host = value();
        break;
      case '--home':
        args.home = value();
        break;
      case '--open':
        args.open = true;
        break;
      case '--help':
      case '-h':
        throw new Error(serveUsage);
      default:
        throw new Error(`Unknown option "${flag}". ${serveUsage}`);
    }
  }
  return args;
}

export function isLoopbackHost(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);
}
