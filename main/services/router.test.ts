import { describe, expect, it, vi } from 'vitest';
import { fakeServices, testBoard } from './fake-services.test-helper';
import { createRouter } from './router';
import { StudioFailure } from './studio-failure';

const board = testBoard;

describe('createRouter', () => {
  it('runs a method with its parsed input and returns the value', async () => {
    const router = createRouter(fakeServices());
    expect(await router.call('boards:create', { name: '  Pixel cats  ' })).toEqual({
      ok: true,
      value: { ...board, name: 'Pixel cats' }, // the contract trims names
    });
  });

  it.each([
    ['a wrong type', { name: 42 }, 'name'],
    ['a missing field', {}, 'name'],
    ['an empty name', { name: '   ' }, 'name'],
    ['an unknown extra field', { name: 'ok', colour: 'red' }, '(payload)'],
  ])('rejects %s with validation_failed naming the field', async (_case, input, field) => {
    const create = vi.fn();
    const router = createRouter(fakeServices({ 'boards:create': create }));
    const result = await router.call('boards:create', input);
    expect(result.ok).toBe(false);
    if (result.ok) {
      return;
    }
    expect(result.error.code).toBe('validation_failed');
    expect(result.error.message).toContain(`${field}:`);
    expect(result.error.detail).toMatchObject({ issues: [expect.objectContaining({ path: field })] });
    expect(create).not.toHaveBeenCalled();
  });

  it('rejects an id that is not a uuid, naming the field', async () => {
    const result = await createRouter(fakeServices()).call('boards:get', { id: '../../etc/passwd' });
    expect(result).toMatchObject({ ok: false, error: { code: 'validation_failed', detail: { issues: [{ path: 'id' }] } } });
  });

  it('refuses a method outside the contract', async () => {
    const result = await createRouter(fakeServices()).call('fs:readFile', { path: '/etc/passwd' });
    expect(result).toMatchObject({ ok: false, error: { code: 'unknown_method' } });
  });

  it('carries a StudioFailure across as data with its code', async () => {
    const router = createRouter(
      fakeServices({
        'boards:get': () => {
          throw new StudioFailure('not_found', 'No board with id x');
        },
      }),
    );
    expect(await router.call('boards:get', { id: board.id })).toEqual({
      ok: false,
      error: { code: 'not_found', message: 'No board with id x' },
    });
  });

  it('hides an unexpected error behind `internal` and logs the original', async () => {
    const logError = vi.fn();
    const router = createRouter(
      fakeServices({
        'boards:list': () => {
          throw new TypeError('boom');
        },
      }),
      { logError },
    );
    const result = await router.call('boards:list', {});
    expect(result).toMatchObject({ ok: false, error: { code: 'internal' } });
    expect(logError).toHaveBeenCalledWith('boards:list failed', expect.any(TypeError));
  });

  it('refuses to send a result that breaks the contract', async () => {
    const logError = vi.fn();
    const router = createRouter(fakeServices({ 'boards:list': () => ({ boards: [{ id: 'nope' }] }) as never }), { logError });
    expect(await router.call('boards:list', {})).toMatchObject({ ok: false, error: { code: 'internal' } });
    expect(logError).toHaveBeenCalled();
  });
});
