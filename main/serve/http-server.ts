import fs from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Studio } from '../services/create-studio';
import { contentSecurityPolicy } from '../app/content-security-policy';
import { answerAssetRequest, assetCacheControl } from '../library/asset-requests';
import { libraryPaths } from '../library/library';
import { createThumbnails } from '../library/thumbnails';
import { AllowedOrigins, presentedToken, tokenMatches } from './access';
import { resolveStaticFile, sendStaticFile } from './static-files';
import { attachWebSocket } from './websocket';
import { isLoopbackHost } from './serve-args';

export type ServeOptions = {
  studio: Studio;
  token: string;
  host: string;
  port: number;
  /** The built renderer (out/renderer). */
  rendererRoot: string;
};

export type RunningServer = {
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
};

/** Largest JSON body accepted on /api/rpc: a reference image (50 MB limit) travels base64 in assets:import. */
export const maxBodyBytes = 80 * 1024 * 1024;

/**
 * The `serve` transport: the built renderer over HTTP and the contract over a WebSocket, both on
 * loopback by default. Every /api request and socket must present the token; browser requests must
 * come from the studio's own origin and name one of its hosts.
 */
export async function startServer(options: ServeOptions): Promise<RunningServer> {
  const server = createServer();
  await listen(server, options.port, options.host);
  const port = (server.address() as AddressInfo).port;
  const hostNames = isLoopbackHost(options.host) ? ['127.0.0.1', 'localhost', '[::1]'] : [options.host];
  const allowed = new AllowedOrigins(hostNames, port);
  // CSP host sources cannot name a bracketed IPv6 address; 'self' already covers the page's own socket.
  const socketSources = allowed.list.filter((host) => !host.startsWith('[')).map((host) => `ws://${host}`);
  const csp = contentSecurityPolicy({ connectSrc: socketSources });
  const images = { assets: options.studio.library.assets, thumbnails: createThumbnails(libraryPaths(options.studio.library.dataFolder).thumbnails) };

  server.on('request', (request, response) => {
    void handleRequest(request, response).catch((error: unknown) => {
      console.error('serve: request failed', error);
      if (!response.headersSent) {
        sendJson(response, 500, { error: { code: 'internal', message: 'Request failed' } });
      } else {
        response.destroy();
      }
    });
  });
  const sockets = attachWebSocket(server, { studio: options.studio, token: options.token, allowed });

  async function handleRequest(request: IncomingMessage, response: ServerResponse): Promise<void> {
    setSecurityHeaders(response, csp);
    if (!allowed.hostAllowed(request.headers.host)) {
      sendJson(response, 421, { error: { code: 'forbidden_origin', message: 'Unknown Host header' } });
      return;
    }
    const url = new URL(request.url ?? '/', 'http://placeholder');
    if (url.pathname.startsWith('/api/')) {
      await handleApi(request, response, url);
      return;
    }
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      sendJson(response, 405, { error: { code: 'validation_failed', message: 'Only GET and HEAD are served here' } });
      return;
    }
    const file = resolveStaticFile(options.rendererRoot, url.pathname);
    if (file === null) {
      const missingBuild = url.pathname === '/' || url.pathname === '/index.html';
      sendText(response, 404, missingBuild ? 'The renderer is not built: run `npm run build`.' : 'Not found');
      return;
    }
    sendStaticFile(response, file, request.method === 'HEAD');
  }

  async function handleApi(request: IncomingMessage, response: ServerResponse, url: URL): Promise<void> {
    if (!allowed.originAllowed(request.headers.origin)) {
      sendJson(response, 403, { error: { code: 'forbidden_origin', message: 'Requests from other sites are refused' } });
      return;
    }
    if (!tokenMatches(presentedToken(request), options.token)) {
      response.setHeader('WWW-Authenticate', 'Bearer');
      sendJson(response, 401, { error: { code: 'unauthorized', message: 'Missing or wrong access token' } });
      return;
    }
    if (url.pathname === '/api/health' && request.method === 'GET') {
      const result = await options.studio.router.call('app:health', {});
      sendJson(response, result.ok ? 200 : 500, result.ok ? result.value : result);
      return;
    }
    // Library images for <img>: the page passes the token as ?token= (an <img> cannot set headers).
    const asset = /^\/api\/assets\/([^/]+)$/.exec(url.pathname);
    if (asset?.[1] !== undefined && (request.method === 'GET' || request.method === 'HEAD')) {
      const answer = await answerAssetRequest(images, asset[1], url.searchParams.get('size'));
      if (answer.status !== 200) {
        sendJson(response, answer.status, { error: { code: assetErrorCodes[answer.status], message: answer.message } });
        return;
      }
      sendAsset(response, answer.file, answer.contentType, request.method === 'HEAD');
      return;
    }
    const rpc = /^\/api\/rpc\/([a-zA-Z]+:[a-zA-Z]+)$/.exec(url.pathname);
    if (rpc?.[1] !== undefined && request.method === 'POST') {
      const body = await readJsonBody(request);
      const result = body.ok ? await options.studio.router.call(rpc[1], body.value) : body;
      sendJson(response, httpStatusOf(result), result);
      return;
    }
    sendJson(response, 404, { error: { code: 'unknown_method', message: `No API at ${request.method} ${url.pathname}` } });
  }

  const url = `http://${hostNames[0]}:${port}/`;
  return {
    url,
    port,
    close: async () => {
      sockets.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

function setSecurityHeaders(response: ServerResponse, csp: string): void {
  response.setHeader('Content-Security-Policy', csp);
  response.setHeader('X-Content-Type-Options', 'nosniff');
  response.setHeader('Referrer-Policy', 'no-referrer');
  response.setHeader('X-Frame-Options', 'DENY');
  response.setHeader('Cross-Origin-Opener-Policy', 'same-origin');
}

type Body = { ok: true; value: unknown } | { ok: false; error: { code: 'validation_failed'; message: string } };

async function readJsonBody(request: IncomingMessage): Promise<Body> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > maxBodyBytes) {
      return { ok: false, error: { code: 'validation_failed', message: `Request body over ${maxBodyBytes} bytes` } };
    }
    chunks.push(chunk as Buffer);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  if (text.trim() === '') {
    return { ok: true, value: {} };
  }
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch {
    return { ok: false, error: { code: 'validation_failed', message: 'Request body is not valid JSON' } };
  }
}

function httpStatusOf(result: { ok: boolean; error?: { code: string } }): number {
  if (result.ok) {
    return 200;
  }
  switch (result.error?.code) {
    case 'validation_failed':
      return 400;
    case 'bundle_invalid':
    case 'image_invalid':
    case 'prompt_invalid':
      return 422;
    case 'not_found':
    case 'unknown_method':
      return 404;
    case 'conflict':
      return 409;
    case 'library_unavailable':
      return 503;
    default:
      return 500;
  }
}

function sendJson(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': 'no-store' });
  response.end(JSON.stringify(body));
}

const assetErrorCodes = { 400: 'validation_failed', 404: 'not_found', 422: 'image_invalid', 503: 'library_unavailable' } as const;

function sendAsset(response: ServerResponse, file: string, contentType: string, headOnly: boolean): void {
  let size: number;
  try {
    size = fs.statSync(file).size;
  } catch {
    sendJson(response, 404, { error: { code: 'not_found', message: 'The image file is gone' } });
    return;
  }
  response.writeHead(200, {
    'Content-Type': contentType,
    'Content-Length': String(size),
    'Cache-Control': assetCacheControl,
    // Only this studio's pages may embed it.
    'Cross-Origin-Resource-Policy': 'same-origin',
  });
  if (headOnly) {
    response.end();
    return;
  }
  fs.createReadStream(file)
    .on('error', () => response.destroy())
    .pipe(response);
}

function sendText(response: ServerResponse, status: number, text: string): void {
  response.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8' });
  response.end(text);
}
