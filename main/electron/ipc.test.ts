import type { IpcMainInvokeEvent } from 'electron';
import { describe, expect, it, vi } from 'vitest';
import { ipcChannelPrefix, ipcEventChannel, methodNames } from '../../preload/contract';
import { EventBus } from '../services/event-bus';
import { fakeServices, testBoard } from '../services/fake-services.test-helper';
import { createRouter, type Router } from '../services/router';
import { forwardEvents, registerIpcHandlers, type EventTarget, type IpcRegistrar } from './ipc';
import { isTrustedSender, type SenderFrame } from './sender-check';
import { studioOrigin } from './studio-origin';

type Handler = (event: IpcMainInvokeEvent, ...args: unknown[]) => unknown;

function fakeIpcMain(): IpcRegistrar & { handlers: Map<string, Handler> } {
  const handlers = new Map<string, Handler>();
  return {
    handlers,
    handle(channel, listener) {
      if (handlers.has(channel)) {
        throw new Error(`Attempted to register a second handler for '${channel}'`);
      }
      handlers.set(channel, listener as Handler);
    },
    removeHandler(channel) {
      handlers.delete(channel);
    },
  };
}

function fakeEvent(url: string, parent: unknown = null): IpcMainInvokeEvent {
  return { senderFrame: { url, parent } } as unknown as IpcMainInvokeEvent;
}

const board = testBoard;

const isTrusted = (event: IpcMainInvokeEvent): boolean => isTrustedSender(event, { origin: studioOrigin });

function setUp(router: Router = createRouter(fakeServices())) {
  const ipcMain = fakeIpcMain();
  const refusals: string[] = [];
  const unregister = registerIpcHandlers(ipcMain, router, isTrusted, { logRefusal: (m) => refusals.push(m) });
  const invoke = async (method: string, event: IpcMainInvokeEvent, input: unknown): Promise<unknown> => {
    const handler = ipcMain.handlers.get(ipcChannelPrefix + method);
    if (handler === undefined) {
      throw new Error(`no handler for ${method}`);
    }
    return handler(event, input);
  };
  return { ipcMain, refusals, unregister, invoke };
}

describe('registerIpcHandlers', () => {
  it('registers one prefixed channel per contract method, and removes them again', () => {
    const { ipcMain, unregister } = setUp();
    expect([...ipcMain.handlers.keys()].sort()).toEqual(methodNames.map((m) => `studio:${m}`).sort());
    unregister();
    expect(ipcMain.handlers.size).toBe(0);
  });

  it('refuses a sender from another origin without calling the router', async () => {
    const call = vi.fn<Router['call']>(async () => ({ ok: true, value: board }));
    const { invoke, refusals } = setUp({ call });
    const result = await invoke('boards:create', fakeEvent('https://evil.example/'), { name: 'x' });
    expect(result).toMatchObject({ ok: false, error: { code: 'forbidden_sender' } });
    expect(call).not.toHaveBeenCalled();
    expect(refusals[0]).toContain('https://evil.example/');
  });

  it('refuses a subframe of the studio page and a missing frame', async () => {
    const call = vi.fn<Router['call']>();
    const { invoke } = setUp({ call });
    const top = { url: 'mentor-studio://app/index.html', parent: null };
    const fromSubframe = await invoke('boards:list', fakeEvent('mentor-studio://app/index.html', top), {});
    const noFrame = await invoke('boards:list', { senderFrame: null } as unknown as IpcMainInvokeEvent, {});
    expect(fromSubframe).toMatchObject({ ok: false, error: { code: 'forbidden_sender' } });
    expect(noFrame).toMatchObject({ ok: false, error: { code: 'forbidden_sender' } });
    expect(call).not.toHaveBeenCalled();
  });

  it("returns the router's result to the studio's top frame", async () => {
    const { invoke } = setUp();
    const result = await invoke('boards:create', fakeEvent('mentor-studio://app/index.html'), { name: 'Dogs' });
    expect(result).toEqual({ ok: true, value: { ...board, name: 'Dogs' } });
  });

  it('returns validation_failed naming the field for a malformed payload', async () => {
    const { invoke } = setUp();
    const result = await invoke('boards:create', fakeEvent('mentor-studio://app/index.html'), { name: 5 });
    expect(result).toMatchObject({ ok: false, error: { code: 'validation_failed' } });
    const error = (result as { error: { message: string; detail: { issues: { path: string }[] } } }).error;
    expect(error.message).toContain('name');
    expect(error.detail.issues.map((issue) => issue.path)).toContain('name');
  });
});

describe('forwardEvents', () => {
  function fakeContents(url: string) {
    let destroyed = false;
    const onDestroyed: (() => void)[] = [];
    const sent: unknown[][] = [];
    const target: EventTarget & { destroy(): void; sent: unknown[][]; frame: SenderFrame } = {
      sent,
      frame: { url, parent: null },
      get mainFrame() {
        return this.frame;
      },
      send: (channel, ...args) => sent.push([channel, ...args]),
      isDestroyed: () => destroyed,
      once: (_event, listener) => onDestroyed.push(listener),
      destroy() {
        destroyed = true;
        onDestroyed.forEach((listener) => listener());
      },
    };
    return target;
  }
  const trustedFrame = (frame: SenderFrame): boolean => isTrustedSender({ senderFrame: frame }, { origin: studioOrigin });
  const change = { boardId: board.id, change: 'created' } as const;

  it('sends bus events to the window on the event channel until it is destroyed', () => {
    const bus = new EventBus();
    const contents = fakeContents('mentor-studio://app/index.html');
    forwardEvents(bus, contents, trustedFrame);
    bus.emit('boards:changed', change);
    expect(contents.sent).toEqual([[ipcEventChannel, 'boards:changed', change]]);
    contents.destroy();
    bus.emit('boards:changed', change);
    expect(contents.sent).toHaveLength(1);
  });

  it('sends nothing while the window shows a foreign page', () => {
    const bus = new EventBus();
    const contents = fakeContents('https://evil.example/');
    forwardEvents(bus, contents, trustedFrame);
    bus.emit('boards:changed', change);
    expect(contents.sent).toEqual([]);
  });
});
