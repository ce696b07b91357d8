import { describe, expect, it, vi } from 'vitest';
import { accessTokenStorageKey, httpAccessCheck, takeAccessToken, type TokenScope } from './access-token';

function scope(hash: string, stored: string | null = null) {
  const storage = new Map<string, string>(stored === null ? [] : [[accessTokenStorageKey, stored]]);
  const replaceState = vi.fn();
  const value: TokenScope = {
    location: { hash, pathname: '/', search: '?view=1' },
    history: { replaceState, state: { kept: true } },
    sessionStorage: {
      getItem: (key) => storage.get(key) ?? null,
      setItem: (key, item) => void storage.set(key, item),
    },
  };
  return { value, storage, replaceState };
}

describe('takeAccessToken', () => {
  it('takes the token from the fragment, keeps it for this tab and clears the address bar', () => {
    const { value, storage, replaceState } = scope('#token=abc%2B123');
    expect(takeAccessToken(value)).toBe('abc+123');
    expect(storage.get(accessTokenStorageKey)).toBe('abc+123');
    expect(replaceState).toHaveBeenCalledWith({ kept: true }, '', '/?view=1');
  });

  it('prefers a new token in the fragment over a stored one', () => {
    const { value, storage } = scope('#token=new', 'old');
    expect(takeAccessToken(value)).toBe('new');
    expect(storage.get(accessTokenStorageKey)).toBe('new');
  });

  it('falls back to the stored token after a reload, without touching history', () => {
    const { value, replaceState } = scope('', 'stored');
    expect(takeAccessToken(value)).toBe('stored');
    expect(replaceState).not.toHaveBeenCalled();
  });

  it('returns null when there is no token anywhere', () => {
    expect(takeAccessToken(scope('#other=1').value)).toBeNull();
    expect(takeAccessToken(scope('#token=').value)).toBeNull();
  });

  it('still works when storage throws', () => {
    const { value } = scope('#token=t');
    value.sessionStorage.setItem = () => {
      throw new Error('disabled');
    };
    expect(takeAccessToken(value)).toBe('t');
  });
});

describe('httpAccessCheck', () => {
  it('sends the token and reads 401 as refused', async () => {
    const fetchImpl = vi.fn(async () => new Response('{}', { status: 401 }));
    expect(await httpAccessCheck(fetchImpl, 'tok')()).toBe('refused');
    expect(fetchImpl).toHaveBeenCalledWith('/api/health', {
      headers: { Authorization: 'Bearer tok' },
      cache: 'no-store',
    });
  });

  it('reads any other answer as accepted and a network failure as unknown', async () => {
    expect(await httpAccessCheck(vi.fn(async () => new Response('{}', { status: 200 })), 't')()).toBe('accepted');
    const down = vi.fn(async () => {
      throw new TypeError('Failed to fetch');
    });
    expect(await httpAccessCheck(down, 't')()).toBe('unknown');
  });
});
