// `npm run serve`: the main-side services in plain Node, for a browser (and for end-to-end tests
// where no Electron binary exists). Prints exactly one line with the link, then logs only problems.
import os from 'node:os';
import path from 'node:path';
import { resolveDataFolder } from '../app/data-folder';
import { createStudio } from '../services/create-studio';
import { createAccessToken } from './access';
import { startServer } from './http-server';
import { isLoopbackHost, parseServeArgs } from './serve-args';

declare const __STUDIO_VERSION__: string;

async function main(): Promise<void> {
  let args;
  try {
    args = parseServeArgs(process.argv.slice(2));
  } catch (error) {
    console.error(`serve: ${(error as Error).message}`);
    process.exit(2);
  }
  const dataFolder = resolveDataFolder({
    home: args.home,
    env: process.env,
    platform: process.platform,
    homedir: os.homedir(),
  });
  const studio = createStudio({ dataFolder, transport: 'websocket', version: __STUDIO_VERSION__ });
  if (studio.library.state.state !== 'ok') {
    // The studio still starts so the window can show this; nothing is written to the database.
    console.error(`serve: library unavailable: ${studio.library.state.message}`);
  }
  if (!isLoopbackHost(args.host)) {
    console.error(
      `serve: WARNING: listening on ${args.host}, reachable from other machines. Anyone with the link's token can use this studio and its files.`,
    );
  }
  const token = createAccessToken();
  let server;
  try {
    server = await startServer({
      studio,
      token,
      host: args.host,
      port: args.port,
      rendererRoot: path.resolve(__dirname, '..', 'renderer'),
    });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const reason = code === 'EADDRINUSE' ? `port ${args.port} is already in use (try --port 0 for a free one)` : (error as Error).message;
    console.error(`serve: cannot listen on ${args.host}:${args.port}: ${reason}`);
    studio.close();
    process.exit(1);
  }
  console.log(`studio: ${server.url}#token=${token}`);

  const shutdown = (): void => {
    void server.close().finally(() => {
      studio.close();
      process.exit(0);
    });
  };
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);
}

void main();
