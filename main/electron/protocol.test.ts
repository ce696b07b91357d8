import { mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { contentSecurityPolicy } from '../app/content-security-policy';
import { openLibrary, type Library } from '../library/library';
import {
  handleStudioProtocol,
  mimeTypeFor,
  registerStudioScheme,
  resolveRendererFile,
  serveRendererRequest,
} from './protocol';

const root = path.resolve('/srv/studio/out/renderer');

describe('resolveRendererFile', () => {
  it('maps our URLs to files under the root', () => {
    expect(resolveRendererFile(root, 'mentor-studio://app/index.html')).toBe(path.join(root, 'index.html'));
    expect(resolveRendererFile(root, 'mentor-studio://app/')).toBe(path.join(root, 'index.html'));
    expect(resolveRendererFile(root, 'mentor-studio://app')).toBe(path.join(root, 'index.html'));
    expect(resolveRendererFile(root, 'mentor-studio://app/assets/index-abc.js?v=1#top')).toBe(
      path.join(root, 'assets', 'index-abc.js'),
    );
    expect(resolveRendererFile(root, 'mentor-studio://app/assets/a%20b.png')).toBe(path.join(root, 'assets', 'a b.png'));
  });

  it.each([
    'mentor-studio://app/..%2f..%2fetc%2fpasswd',
    'mentor-studio://app/assets/..%2f..%2f..%2fsecret',
    'mentor-studio://app/..%5c..%5csecret',
    'mentor-studio://app/assets%5c..%5c..%5csecret',
    'mentor-studio://app/C:%5cWindows%5cwin.ini',
    'mentor-studio://app/index.html%00.png',
    'mentor-studio://app/%E0%A4%A',
  ])('refuses %s', (url) => {
    expect(resolveRendererFile(root, url)).toBeNull();
  });

  it.each(['mentor-studio://app/../../etc/passwd', 'mentor-studio://app/%2e%2e/%2e%2e/etc/passwd'])(
    'keeps dot segments the URL parser removes inside the root: %s',
    (url) => {
      expect(resolveRendererFile(root, url)).toBe(path.join(root, 'etc', 'passwd'));
    },
  );

  it.each([
    'https://app/index.html',
    'file:///srv/studio/out/renderer/index.html',
    'mentor-studio://other/index.html',
    'mentor-studio://app:1/index.html',
    'mentor-studio://u:p@app/index.html',
    'nonsense',
  ])('refuses a URL that is not ours: %s', (url) => {
    expect(resolveRendererFile(root, url)).toBeNull();
  });
});

describe('mimeTypeFor', () => {
  it('knows what Vite emits', () => {
    expect(mimeTypeFor('index.html')).toBe('text/html; charset=utf-8');
    expect(mimeTypeFor('assets/index-abc.js')).toBe('text/javascript; charset=utf-8');
    expect(mimeTypeFor('assets/index-abc.CSS')).toBe('text/css; charset=utf-8');
    expect(mimeTypeFor('assets/font.woff2')).toBe('font/woff2');
    expect(mimeTypeFor('assets/logo.svg')).toBe('image/svg+xml');
    expect(mimeTypeFor('no-extension')).toBe('application/octet-stream');
  });
});

describe('serveRendererRequest', () => {
  let base: string;
  let renderer: string;

  beforeAll(async () => {
    base = await mkdtemp(path.join(tmpdir(), 'studio-protocol-'));
    renderer = path.join(base, 'renderer');
    await mkdir(path.join(renderer, 'assets'), { recursive: true });
    await writeFile(path.join(renderer, 'index.html'), '<!doctype html><title>MENTOR Studio</title>');
    await writeFile(path.join(renderer, 'assets', 'app.js'), 'console.log(1)');
    await writeFile(path.join(base, 'secret.txt'), 'secret');
    await symlink(path.join(base, 'secret.txt'), path.join(renderer, 'assets', 'link.txt'));
  });

  afterAll(async () => {
    await rm(base, { recursive: true, force: true });
  });

  it('serves a file with its MIME type and the CSP header', async () => {
    const response = await serveRendererRequest(renderer, new Request('mentor-studio://app/index.html'));
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(response.headers.get('content-security-policy')).toBe(contentSecurityPolicy({ connectSrc: [] }));
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    expect(await response.text()).toContain('MENTOR Studio');

    const script = await serveRendererRequest(renderer, new Request('mentor-studio://app/assets/app.js'));
    expect(script.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(await script.text()).toBe('console.log(1)');
  });

  it('answers HEAD without a body', async () => {
    const response = await serveRendererRequest(renderer, new Request('mentor-studio://app/', { method: 'HEAD' }));
    expect(response.status).toBe(200);
    expect(await response.text()).toBe('');
  });

  it('answers 404 for missing files, directories, traversal and symlinks out of the root', async () => {
    for (const url of [
      'mentor-studio://app/missing.js',
      'mentor-studio://app/assets/',
      'mentor-studio://app/%2e%2e/secret.txt',
      'mentor-studio://app/assets/link.txt',
    ]) {
      const response = await serveRendererRequest(renderer, new Request(url));
      expect(response.status, url).toBe(404);
      expect(await response.text()).not.toContain('secret');
      expect(response.headers.get('content-security-policy')).toBeTruthy();
    }
  });

  it('refuses methods other than GET and HEAD', async () => {
    const response = await serveRendererRequest(renderer, new Request('mentor-studio://app/index.html', { method: 'POST' }));
    expect(response.status).toBe(405);
  });

  it('is what the registered protocol handler answers with', async () => {
    const handle = vi.fn();
    handleStudioProtocol({ handle }, renderer);
    expect(handle).toHaveBeenCalledWith('mentor-studio', expect.any(Function));
    const handler = handle.mock.calls[0]?.[1] as (request: Request) => Promise<Response>;
    expect((await handler(new Request('mentor-studio://app/index.html'))).status).toBe(200);
  });
});

describe('library images on mentor-studio://app/api/assets/', () => {
  let base: string;
  let renderer: string;
  let library: Library;
  let sha256: string;
  let handler: (request: Request) => Promise<Response>;
  let opened: Library | undefined;

  beforeAll(async () => {
    base = await mkdtemp(path.join(tmpdir(), 'studio-protocol-assets-'));
    renderer = path.join(base, 'renderer');
    await mkdir(renderer, { recursive: true });
    await writeFile(path.join(renderer, 'index.html'), '<!doctype html><title>MENTOR Studio</title>');
    library = openLibrary(path.join(base, 'data'));
    const png = await sharp({ create: { width: 200, height: 100, channels: 3, background: '#963' } }).png().toBuffer();
    sha256 = library.assets.put(png, { mime: 'image/png' }).sha256;
    const handle = vi.fn();
    handleStudioProtocol({ handle }, renderer, () => opened);
    handler = handle.mock.calls[0]?.[1] as (request: Request) => Promise<Response>;
  });

  afterAll(async () => {
    library.close();
    await rm(base, { recursive: true, force: true });
  });

  it('answers 503 until the studio has opened the library', async () => {
    opened = undefined;
    expect((await handler(new Request(`mentor-studio://app/api/assets/${sha256}`))).status).toBe(503);
    opened = library;
  });

  it('serves the image with its type, the CSP and an immutable cache header', async () => {
    const response = await handler(new Request(`mentor-studio://app/api/assets/${sha256}`));
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('image/png');
    expect(response.headers.get('cache-control')).toBe('private, max-age=31536000, immutable');
    expect(response.headers.get('content-security-policy')).toBe(contentSecurityPolicy({ connectSrc: [] }));
    expect(Buffer.from(await response.arrayBuffer()).equals(library.assets.read(sha256))).toBe(true);
  });

  it('serves a WebP thumbnail for ?size=N, cached in the data folder', async () => {
    const response = await handler(new Request(`mentor-studio://app/api/assets/${sha256}?size=50`));
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('image/webp');
    expect(await sharp(Buffer.from(await response.arrayBuffer())).metadata()).toMatchObject({ format: 'webp', width: 50, height: 25 });
    const cached = path.join(base, 'data', 'cache', 'thumbnails', sha256.slice(0, 2), `${sha256}-50.webp`);
    expect((await readFile(cached)).byteLength).toBeGreaterThan(0);
  });

  it('answers 404 for an unknown or malformed hash, 400 for a bad size, 405 for POST', async () => {
    expect((await handler(new Request(`mentor-studio://app/api/assets/${'0'.repeat(64)}`))).status).toBe(404);
    expect((await handler(new Request('mentor-studio://app/api/assets/..%2flibrary.sqlite'))).status).toBe(404);
    expect((await handler(new Request(`mentor-studio://app/api/assets/${sha256}?size=9999`))).status).toBe(400);
    expect((await handler(new Request(`mentor-studio://app/api/assets/${sha256}`, { method: 'POST' }))).status).toBe(405);
  });

  it('still serves the renderer for every other path', async () => {
    expect(await (await handler(new Request('mentor-studio://app/'))).text()).toContain('MENTOR Studio');
    expect((await handler(new Request('mentor-studio://app/api/other'))).status).toBe(404);
  });
});

describe('registerStudioScheme', () => {
  it('registers mentor-studio as standard, secure and fetchable', () => {
    const registerSchemesAsPrivileged = vi.fn();
    registerStudioScheme({ registerSchemesAsPrivileged });
    expect(registerSchemesAsPrivileged).toHaveBeenCalledWith([
      { scheme: 'mentor-studio', privileges: { standard: true, secure: true, supportFetchAPI: true } },
    ]);
  });
});

describe('contentSecurityPolicy', () => {
  it('is the strict policy, with only styles allowed inline', () => {
    expect(contentSecurityPolicy({ connectSrc: [] })).toBe(
      "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; " +
        "connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'none'",
    );
  });

  it('adds connect sources for the serve transport and refuses injected directives', () => {
    expect(contentSecurityPolicy({ connectSrc: ['ws://127.0.0.1:4173'] })).toContain(
      "connect-src 'self' ws://127.0.0.1:4173;",
    );
    expect(() => contentSecurityPolicy({ connectSrc: ["ws://x; script-src 'unsafe-eval'"] })).toThrow();
    expect(() => contentSecurityPolicy({ connectSrc: [''] })).toThrow();
  });
});
