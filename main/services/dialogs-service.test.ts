import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createRouter } from './router';
import { createDialogsService, type FolderPicker } from './dialogs-service';
import type { StudioServices } from './router';

function routerWith(pickFolder: FolderPicker | undefined) {
  // Only the method under test; the router never reaches the others here.
  return createRouter(createDialogsService(pickFolder) as StudioServices, { logError: () => {} });
}

describe('dialogs:pickFolder', () => {
  it('is refused with a reason in a browser tab (no native dialog behind serve)', async () => {
    const result = await routerWith(undefined).call('dialogs:pickFolder', { title: 'Choose a MENTOR bundle folder' });
    expect(result).toEqual({
      ok: false,
      error: { code: 'unsupported', message: expect.stringContaining('needs the desktop app; type the folder’s path instead') },
    });
  });

  it('returns the folder the desktop dialog chose, or null when it was cancelled', async () => {
    const titles: string[] = [];
    const chosen = path.resolve('bundles', 'mentor');
    const answers = [chosen, null];
    const router = routerWith(async (title) => {
      titles.push(title);
      return answers.shift() ?? null;
    });
    expect(await router.call('dialogs:pickFolder', { title: 'Choose a MENTOR bundle folder' })).toEqual({ ok: true, value: { path: chosen } });
    expect(await router.call('dialogs:pickFolder', { title: 'Again' })).toEqual({ ok: true, value: { path: null } });
    expect(titles).toEqual(['Choose a MENTOR bundle folder', 'Again']);
  });

  it('asks for a title', async () => {
    const result = await routerWith(async () => null).call('dialogs:pickFolder', {});
    expect(result.ok).toBe(false);
    expect(!result.ok && result.error.code).toBe('validation_failed');
  });
});
