import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { BoardItem, EventName } from '../../preload/contract';
import { openLibrary, type Library } from '../library/library';
import { EventBus } from './event-bus';
import { createItemsService } from './items-service';
import { createRouter, type Router, type StudioServices } from './router';
import { fakeServices } from './fake-services.test-helper';

let dataFolder: string;
let library: Library;
let router: Router;
let events: { event: EventName; payload: unknown }[];
let boardId: string;
let sha256: string;

beforeEach(async () => {
  dataFolder = fs.mkdtempSync(path.join(os.tmpdir(), 'items-service-'));
  library = openLibrary(dataFolder);
  const bus = new EventBus();
  events = [];
  bus.subscribe((event, payload) => events.push({ event, payload }));
  router = createRouter(fakeServices(createItemsService(library, bus) as Partial<StudioServices>), { logError: () => undefined });
  boardId = library.boards.create('Cats').id;
  const png = await sharp({ create: { width: 40, height: 20, channels: 3, background: '#c84' } }).png().toBuffer();
  sha256 = library.assets.put(png, { mime: 'image/png', width: 40, height: 20 }).sha256;
});
afterEach(() => {
  library.close();
  fs.rmSync(dataFolder, { recursive: true, force: true });
});

async function call<T>(method: string, input: unknown): Promise<T> {
  const result = await router.call(method, input);
  if (!result.ok) {
    throw Object.assign(new Error(result.error.message), result.error);
  }
  return result.value as T;
}

const place = (extra: Record<string, unknown> = {}) => call<BoardItem>('items:add', { boardId, assetSha256: sha256, x: 0, y: 0, width: 40, height: 20, ...extra });

describe('items service', () => {
  it('adds a reference (the default kind), lists it, and tells the windows', async () => {
    const item = await place({ x: 5 });
    expect(item).toMatchObject({ boardId, kind: 'reference', assetSha256: sha256, x: 5, generationId: null, sourceItemIds: [] });
    expect(await call('items:list', { boardId })).toEqual({ items: [item] });
    expect(events).toEqual([{ event: 'items:changed', payload: { boardId, itemIds: [item.id], change: 'added' } }]);
  });

  it('moves several items in one call, deletes and restores them, with one event each', async () => {
    const a = await place();
    const b = await place({ x: 100 });
    events.length = 0;
    const { items } = await call<{ items: BoardItem[] }>('items:update', { items: [{ id: a.id, x: 300, y: 40 }, { id: b.id, zIndex: -5 }] });
    expect(items.map((item) => [item.id, item.x, item.y, item.zIndex])).toEqual([
      [a.id, 300, 40, 0],
      [b.id, 100, 0, -5],
    ]);
    expect(await call('items:delete', { ids: [a.id, b.id] })).toEqual({ ids: [a.id, b.id] });
    expect(await call('items:list', { boardId })).toEqual({ items: [] });
    const restored = await call<{ items: BoardItem[] }>('items:restore', { ids: [a.id, b.id] });
    expect(restored.items).toEqual(items);
    expect(events.map((event) => event.payload)).toEqual([
      { boardId, itemIds: [a.id, b.id], change: 'updated' },
      { boardId, itemIds: [a.id, b.id], change: 'deleted' },
      { boardId, itemIds: [a.id, b.id], change: 'restored' },
    ]);
  });

  it('refuses an image the library does not have, or whose file is gone, and an unknown board', async () => {
    await expect(place({ assetSha256: 'e'.repeat(64) })).rejects.toMatchObject({ code: 'not_found', message: expect.stringContaining('import it first') });
    fs.rmSync(library.assets.pathOf(sha256));
    await expect(place()).rejects.toMatchObject({ code: 'not_found' });
    await expect(place({ boardId: '00000000-0000-4000-8000-000000000000' })).rejects.toMatchObject({ code: 'not_found' });
    expect(events).toEqual([]);
  });

  it('refuses bad input with the field named, and an unknown id without changing anything', async () => {
    await expect(place({ width: -1 })).rejects.toMatchObject({ code: 'validation_failed', message: expect.stringContaining('width') });
    const a = await place();
    await expect(call('items:update', { items: [{ id: a.id, x: 9 }, { id: '00000000-0000-4000-8000-000000000000', x: 1 }] })).rejects.toMatchObject({
      code: 'not_found',
    });
    expect((await call<{ items: BoardItem[] }>('items:list', { boardId })).items[0]?.x).toBe(0);
  });
});
