/**
 * Serves the built renderer (`out/renderer`) on `mentor-studio://app/`, so the page has a real,
 * fixed origin instead of `file://` (security checklist #18), and every response carries the CSP
 * as a header (checklist #7).
 *
 * No runtime import of 'electron': main passes `protocol` in. The file logic runs on the standard
 * `Request`/`Response` of Node, so tests exercise it without Electron.
 */
import { readFile, realpath } from 'node:fs/promises';
import path from 'node:path';
import type { Protocol } from 'electron';
import { contentSecurityPolicy } from '../app/content-security-policy';
import { answerAssetRequest, assetCacheControl } from '../library/asset-requests';
import { libraryPaths, type Library } from '../library/library';
import { createThumbnails, type Thumbnails } from '../library/thumbnails';
import { studioHost, studioScheme } from './studio-origin';

/**
 * Must run before `app` is ready. `standard` gives the scheme normal URL semantics (host, relative
 * URLs, origin, storage); `secure` makes it a secure context like https; `supportFetchAPI` lets
 * the page `fetch()` its own assets.
 */
export function registerStudioScheme(protocol: Pick<Protocol, 'registerSchemesAsPrivileged'>): void {
  protocol.registerSchemesAsPrivileged([
    { scheme: studioScheme, privileges: { standard: true, secure: true, supportFetchAPI: true } },
  ]);
}

/** The library whose images `/api/assets/` serves; undefined until the studio has opened it. */
export type ImageLibrary = () => Pick<Library, 'assets' | 'dataFolder'> | undefined;

/**
 * After `app` is ready: answer every `mentor-studio://` request, library images under `/api/assets/`
 * (the same path the serve transport uses, so the renderer builds one URL for both) and the rest from
 * `rendererRoot`.
 */
export function handleStudioProtocol(protocol: Pick<Protocol, 'handle'>, rendererRoot: string, library: ImageLibrary = () => undefined): void {
  const images = libraryImages(library);
  protocol.handle(studioScheme, async (request) => (await serveAssetRequest(images, request)) ?? serveRendererRequest(rendererRoot, request));
}

const assetPathPattern = /^\/api\/assets\/([^/]+)$/;

/** The library with a thumbnail cache in its data folder (one per folder, made on first use). */
function libraryImages(library: ImageLibrary): () => { assets: Library['assets']; thumbnails: Thumbnails } | undefined {
  let cached: { folder: string; thumbnails: Thumbnails } | undefined;
  return () => {
    const current = library();
    if (current === undefined) {
      return undefined;
    }
    if (cached?.folder !== current.dataFolder) {
      cached = { folder: current.dataFolder, thumbnails: createThumbnails(libraryPaths(current.dataFolder).thumbnails) };
    }
    return { assets: current.assets, thumbnails: cached.thumbnails };
  };
}

/**
 * `mentor-studio://app/api/assets/<sha256>[?size=N]`: a library image, or a thumbnail of it. Null for
 * any other URL (the renderer's files). No token here: only the studio's own page loads this scheme.
 */
export async function serveAssetRequest(
  images: () => { assets: Library['assets']; thumbnails: Thumbnails } | undefined,
  request: Request,
): Promise<Response | null> {
  let url: URL;
  try {
    url = new URL(request.url);
  } catch {
    return null;
  }
  const match = assetPathPattern.exec(url.pathname);
  if (url.protocol !== `${studioScheme}:` || url.host !== studioHost || url.username !== '' || url.password !== '' || match?.[1] === undefined) {
    return null;
  }
  if (request.method !== 'GET' && request.method !== 'HEAD') {
    return textResponse(405, 'Method not allowed');
  }
  const source = images();
  if (source === undefined) {
    return textResponse(503, 'The library is not open yet');
  }
  const answer = await answerAssetRequest(source, match[1], url.searchParams.get('size'));
  if (answer.status !== 200) {
    return textResponse(answer.status, answer.message);
  }
  let body: Buffer;
  try {
    body = await readFile(answer.file);
  } catch {
    return textResponse(404, 'Not found');
  }
  const headers = securityHeaders(answer.contentType);
  headers.set('content-length', String(body.byteLength));
  headers.set('cache-control', assetCacheControl);
  return new Response(request.method === 'HEAD' ? null : new Uint8Array(body), { status: 200, headers });
}

const studioCsp = contentSecurityPolicy({ connectSrc: [] });

const mimeTypes: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.avif': 'image/avif',
  '.ico': 'image/x-icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.ttf': 'font/ttf',
  '.otf': 'font/otf',
  '.wasm': 'application/wasm',
};

export function mimeTypeFor(filePath: string): string {
  return mimeTypes[path.extname(filePath).toLowerCase()] ?? 'application/octet-stream';
}

/**
 * Maps a `mentor-studio://app/...` URL to a file under `root`, or null when the URL is not ours or
 * would leave `root` (`..`, encoded separators, backslashes, drive letters, NUL). `/` is index.html.
 */
export function resolveRendererFile(root: string, url: string): string | null {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return null;
  }
  if (
    parsed.protocol !== `${studioScheme}:` ||
    parsed.hostname !== studioHost ||
    parsed.port !== '' ||
    parsed.username !== '' ||
    parsed.password !== ''
  ) {
    return null;
  }
  let pathname: string;
  try {
    pathname = decodeURIComponent(parsed.pathname);
  } catch {
    return null;
  }
  // Backslashes and colons are path syntax on Windows (`..\`, `C:`, `file::$DATA`); Vite never emits them.
  if (/[\0\\:]/.test(pathname)) {
    return null;
  }
  if (pathname === '' || pathname === '/') {
    pathname = '/index.html';
  }
  const rootPath = path.resolve(root);
  const filePath = path.resolve(rootPath, `.${pathname}`);
  return isInside(rootPath, filePath) ? filePath : null;
}

/** Answers one request: GET/HEAD only, files under `root` only, CSP on every response. */
export async function serveRendererRequest(root: string, request: Request): Promise<Response> {
  if (request.method !== 'GET' && request.method !== 'HEAD') {
    return textResponse(405, 'Method not allowed');
  }
  const filePath = resolveRendererFile(root, request.url);
  if (filePath === null) {
    return textResponse(404, 'Not found');
  }
  let body: Buffer;
  try {
    // A symlink inside out/renderer must not lead outside it either.
    const [realRoot, realFile] = await Promise.all([realpath(root), realpath(filePath)]);
    if (!isInside(realRoot, realFile)) {
      return textResponse(404, 'Not found');
    }
    body = await readFile(realFile);
  } catch {
    // Missing file, a directory, unreadable: all the same to the page.
    return textResponse(404, 'Not found');
  }
  const headers = securityHeaders(mimeTypeFor(filePath));
  headers.set('content-length', String(body.byteLength));
  return new Response(request.method === 'HEAD' ? null : new Uint8Array(body), { status: 200, headers });
}

function isInside(root: string, filePath: string): boolean {
  const relative = path.relative(root, filePath);
  return (
    relative !== '' && relative !== '..' && !relative.startsWith(`..${path.sep}`) && !path.isAbsolute(relative)
  );
}

function securityHeaders(contentType: string): Headers {
  return new Headers({
    'content-type': contentType,
    'content-security-policy': studioCsp,
    'x-content-type-options': 'nosniff',
    // Assets have hashed names, but index.html must be re-read after a rebuild.
    'cache-control': 'no-cache',
  });
}

function textResponse(status: number, text: string): Response {
  return new Response(text, { status, headers: securityHeaders('text/plain; charset=utf-8') });
}
