// The canvas through the real `serve` process: over the WebSocket, import an image, place it on a
// board, move it, delete and restore it (with the events other windows get); over HTTP, fetch the
// image and a thumbnail the way an <img> does, token in the query. A restart keeps what was done.
import fs from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { Board, BoardItem } from '../../preload/contract';
import { startServe, temporaryHome, type ServeProcess } from '../fixtures/serve-process';

type Reply = { ok: true; value: unknown } | { ok: false; error: { code: string; message: string } };
type Client = { call<T>(method: string, input: unknown): Promise<T>; events: { event: string; payload: unknown }[]; close(): void };

const home = temporaryHome('mentor-studio-canvas-');
let serve: ServeProcess;
let client: Client;

async function connect(current: ServeProcess): Promise<Client> {
  const socket = new WebSocket(`${current.baseUrl.replace('http', 'ws')}api/ws?token=${current.token}`, { headers: { Origin: current.origin } });
  const waiting = new Map<number, (reply: Reply) => void>();
  const events: { event: string; payload: unknown }[] = [];
  socket.on('message', (data) => {
    const message = JSON.parse(data.toString()) as { type: string; id: number; result: Reply; event: string; payload: unknown };
    if (message.type === 'result') {
      waiting.get(message.id)?.(message.result);
      waiting.delete(message.id);
    } else if (message.type === 'event') {
      events.push({ event: message.event, payload: message.payload });
    }
  });
  await new Promise((resolve, reject) => socket.once('open', resolve).once('error', reject));
  let nextId = 1;
  return {
    events,
    close: () => socket.close(),
    call: async <T>(method: string, input: unknown): Promise<T> => {
      const id = nextId++;
      const reply = await new Promise<Reply>((resolve) => {
        waiting.set(id, resolve);
        socket.send(JSON.stringify({ type: 'call', id, method, input }));
      });
      if (!reply.ok) {
        throw new Error(`${method} failed: ${reply.error.code}: ${reply.error.message}`);
      }
      return reply.value as T;
    },
  };
}

/** Events arrive after their call's result on the same socket; wait until `count` have. */
async function eventsOf(target: Client, name: string, count: number): Promise<unknown[]> {
  const deadline = Date.now() + 5_000;
  for (;;) {
    const matching = target.events.filter((entry) => entry.event === name).map((entry) => entry.payload);
    if (matching.length >= count || Date.now() > deadline) {
      return matching;
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

beforeAll(async () => {
  serve = await startServe({ home });
  client = await connect(serve);
});

afterAll(async () => {
  client?.close();
  await serve?.stop();
  fs.rmSync(home, { recursive: true, force: true });
});

describe('canvas items and library images through serve', () => {
  let board: Board;
  let sha256: string;
  let png: Buffer;
  let moved: BoardItem;

  it('places an imported image on a board, moves it, deletes and restores it', async () => {
    board = await client.call<Board>('boards:create', { name: 'Cats' });
    png = await sharp({ create: { width: 300, height: 150, channels: 3, background: '#d94' } }).png().toBuffer();
    ({ sha256 } = await client.call<{ sha256: string }>('assets:import', { name: 'cat.png', dataBase64: png.toString('base64') }));

    const item = await client.call<BoardItem>('items:add', { boardId: board.id, assetSha256: sha256, x: 10, y: 20, width: 300, height: 150 });
    expect(item).toMatchObject({ boardId: board.id, kind: 'reference', assetSha256: sha256, x: 10, y: 20, zIndex: 0 });

    const updated = await client.call<{ items: BoardItem[] }>('items:update', { items: [{ id: item.id, x: 400, y: -30 }] });
    expect(updated.items).toEqual([{ ...item, x: 400, y: -30 }]);
    moved = updated.items[0] as BoardItem;
    expect(await client.call('items:list', { boardId: board.id })).toEqual({ items: [moved] });

    expect(await client.call('items:delete', { ids: [item.id] })).toEqual({ ids: [item.id] });
    expect(await client.call('items:list', { boardId: board.id })).toEqual({ items: [] });
    expect((await client.call<Board>('boards:get', { id: board.id })).itemCount).toBe(0);

    expect(await client.call('items:restore', { ids: [item.id] })).toEqual({ items: [moved] });
    expect(await client.call('items:list', { boardId: board.id })).toEqual({ items: [moved] });

    expect(await eventsOf(client, 'items:changed', 4)).toEqual(
      ['added', 'updated', 'deleted', 'restored'].map((change) => ({ boardId: board.id, itemIds: [item.id], change })),
    );
  });

  it('refuses an image that is not in the library and a board that does not exist', async () => {
    await expect(
      client.call('items:add', { boardId: board.id, assetSha256: 'e'.repeat(64), x: 0, y: 0, width: 1, height: 1 }),
    ).rejects.toThrow(/not_found: The image e{64} is not in the library; import it first/);
    await expect(
      client.call('items:add', { boardId: '00000000-0000-4000-8000-000000000000', assetSha256: sha256, x: 0, y: 0, width: 1, height: 1 }),
    ).rejects.toThrow(/not_found: No board with id/);
  });

  it('serves the image and a cached thumbnail over HTTP with the token, and nothing without it', async () => {
    const url = (query: string) => new URL(`api/assets/${sha256}${query}`, serve.baseUrl);

    const thumbnail = await fetch(url(`?size=64&token=${serve.token}`));
    expect(thumbnail.status).toBe(200);
    expect(thumbnail.headers.get('content-type')).toBe('image/webp');
    expect(thumbnail.headers.get('cache-control')).toBe('private, max-age=31536000, immutable');
    expect(await sharp(Buffer.from(await thumbnail.arrayBuffer())).metadata()).toMatchObject({ format: 'webp', width: 64, height: 32 });
    expect(fs.existsSync(path.join(home, 'cache', 'thumbnails', sha256.slice(0, 2), `${sha256}-64.webp`))).toBe(true);

    const full = await fetch(url(''), { headers: { Authorization: `Bearer ${serve.token}` } });
    expect(full.headers.get('content-type')).toBe('image/png');
    expect(Buffer.from(await full.arrayBuffer()).equals(png)).toBe(true);

    expect((await fetch(url('?size=64'))).status).toBe(401);
    expect((await fetch(url('?size=64&token=wrong'))).status).toBe(401);
    expect((await fetch(new URL(`api/assets/${'0'.repeat(64)}?token=${serve.token}`, serve.baseUrl))).status).toBe(404);
    expect((await fetch(url(`?size=5000&token=${serve.token}`))).status).toBe(400);
  });

  it('keeps the board items across a restart', async () => {
    client.close();
    await serve.stop();
    serve = await startServe({ home });
    client = await connect(serve);
    expect(await client.call('items:list', { boardId: board.id })).toEqual({ items: [moved] });
  });
});
