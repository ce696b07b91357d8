// The serve transport's access rules, checked against the real `serve` process: every API request
// and socket needs the token, and browser requests from another site are refused.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { startServe, type ServeProcess } from '../fixtures/serve-process';

let serve: ServeProcess;

beforeAll(async () => {
  serve = await startServe();
});

afterAll(async () => {
  await serve?.stop();
});

function api(path: string, init: RequestInit = {}): Promise<Response> {
  return fetch(new URL(path, serve.baseUrl), init);
}

/** Opens a socket and resolves with how the handshake ended: 'open' or the HTTP status refused with. */
function handshake(options: { token?: string; origin?: string }): Promise<'open' | number> {
  const query = options.token === undefined ? '' : `?token=${encodeURIComponent(options.token)}`;
  const ws = new WebSocket(`${serve.baseUrl.replace('http', 'ws')}api/ws${query}`, {
    headers: options.origin === undefined ? {} : { Origin: options.origin },
  });
  return new Promise((resolve, reject) => {
    ws.once('open', () => {
      ws.close();
      resolve('open');
    });
    ws.once('unexpected-response', (_request, response) => {
      resolve(response.statusCode ?? 0);
      ws.terminate();
    });
    ws.once('error', (error) => reject(error));
  });
}

describe('GET /api/health', () => {
  it('answers JSON with the version, data folder and engine state when the token is presented as a bearer header', async () => {
    const response = await api('api/health', { headers: { Authorization: `Bearer ${serve.token}` } });
    expect(response.status).toBe(200);
    const health = (await response.json()) as Record<string, unknown>;
    expect(health).toMatchObject({ name: 'mentor-studio', dataFolder: serve.home, transport: 'websocket' });
    expect(typeof health.version).toBe('string');
    expect(health.engine).toMatchObject({ state: 'not-loaded' });
    expect(health.library).toMatchObject({ state: 'ok' });
  });

  it('accepts the token as ?token=', async () => {
    const response = await api(`api/health?token=${serve.token}`);
    expect(response.status).toBe(200);
  });

  it('refuses a request without the token with 401', async () => {
    const response = await api('api/health');
    expect(response.status).toBe(401);
    expect(await response.json()).toMatchObject({ error: { code: 'unauthorized' } });
  });

  it('refuses a wrong token, including one that differs only in its last character', async () => {
    const wrong = serve.token.slice(0, -1) + (serve.token.endsWith('A') ? 'B' : 'A');
    expect((await api('api/health', { headers: { Authorization: `Bearer ${wrong}` } })).status).toBe(401);
    expect((await api('api/health?token=nope')).status).toBe(401);
  });

  it('refuses a request from a foreign Origin even with the right token', async () => {
    const response = await api('api/health', {
      headers: { Authorization: `Bearer ${serve.token}`, Origin: 'https://evil.example' },
    });
    expect(response.status).toBe(403);
    expect(await response.json()).toMatchObject({ error: { code: 'forbidden_origin' } });
  });

  it('refuses a request that names another Host (DNS rebinding)', async () => {
    const { request } = await import('node:http');
    const url = new URL('api/health', serve.baseUrl);
    const status = await new Promise<number>((resolve, reject) => {
      const req = request(
        { host: url.hostname, port: url.port, path: `${url.pathname}?token=${serve.token}`, headers: { Host: `evil.example:${url.port}` } },
        (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        },
      );
      req.once('error', reject);
      req.end();
    });
    expect(status).toBe(421);
  });
});

describe('POST /api/rpc/:method', () => {
  it('refuses a contract call without the token', async () => {
    const response = await api('api/rpc/boards:create', { method: 'POST', body: JSON.stringify({ name: 'x' }) });
    expect(response.status).toBe(401);
  });

  it('rejects a malformed payload with a validation error naming the field', async () => {
    const response = await api('api/rpc/boards:create', {
      method: 'POST',
      headers: { Authorization: `Bearer ${serve.token}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ name: 42 }),
    });
    expect(response.status).toBe(400);
    const body = (await response.json()) as { ok: boolean; error: { code: string; message: string } };
    expect(body.ok).toBe(false);
    expect(body.error.code).toBe('validation_failed');
    expect(body.error.message).toContain('name');
  });
});

describe('the contract socket /api/ws', () => {
  it('opens with the token from the studio origin and answers a call', async () => {
    const ws = new WebSocket(`${serve.baseUrl.replace('http', 'ws')}api/ws?token=${serve.token}`, {
      headers: { Origin: serve.origin },
    });
    await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
    const reply = new Promise<unknown>((resolve) => ws.once('message', (data) => resolve(JSON.parse(data.toString()))));
    ws.send(JSON.stringify({ type: 'call', id: 7, method: 'boards:create', input: { name: '' } }));
    expect(await reply).toMatchObject({
      type: 'result',
      id: 7,
      result: { ok: false, error: { code: 'validation_failed', detail: { issues: [{ path: 'name' }] } } },
    });
    ws.close();
  });

  it('is refused without a token', async () => {
    expect(await handshake({ origin: serve.origin })).toBe(401);
  });

  it('is refused with a wrong token', async () => {
    expect(await handshake({ token: 'wrong-token', origin: serve.origin })).toBe(401);
  });

  it('is refused from a foreign Origin even with the right token', async () => {
    expect(await handshake({ token: serve.token, origin: 'https://evil.example' })).toBe(403);
    expect(await handshake({ token: serve.token, origin: 'null' })).toBe(403);
  });
});
