import { describe, expect, it } from 'vitest';
import { AllowedOrigins, createAccessToken, presentedToken, tokenMatches } from './access';

describe('access token', () => {
  it('is long and different every time', () => {
    const a = createAccessToken();
    expect(a).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(createAccessToken()).not.toBe(a);
  });

  it('is read from a bearer header before the query', () => {
    expect(presentedToken({ headers: { authorization: 'Bearer abc' }, url: '/api/health?token=def' })).toBe('abc');
    expect(presentedToken({ headers: {}, url: '/api/ws?token=def' })).toBe('def');
    expect(presentedToken({ headers: { authorization: 'Basic abc' }, url: '/' })).toBeNull();
    expect(presentedToken({ headers: {}, url: '/' })).toBeNull();
  });

  it('matches only the exact token', () => {
    expect(tokenMatches('abc', 'abc')).toBe(true);
    expect(tokenMatches('abd', 'abc')).toBe(false);
    expect(tokenMatches('ab', 'abc')).toBe(false);
    expect(tokenMatches(null, 'abc')).toBe(false);
  });
});

describe('AllowedOrigins', () => {
  const allowed = new AllowedOrigins(['127.0.0.1', 'localhost'], 4100);

  it('allows the studio origins and no-Origin clients', () => {
    expect(allowed.originAllowed('http://127.0.0.1:4100')).toBe(true);
    expect(allowed.originAllowed('http://localhost:4100')).toBe(true);
    expect(allowed.originAllowed(undefined)).toBe(true);
  });

  it('refuses other sites, other ports, opaque and file origins', () => {
    expect(allowed.originAllowed('https://evil.example')).toBe(false);
    expect(allowed.originAllowed('http://127.0.0.1:4101')).toBe(false);
    expect(allowed.originAllowed('null')).toBe(false);
    expect(allowed.originAllowed('file://')).toBe(false);
  });

  it('checks the Host header against the same list', () => {
    expect(allowed.hostAllowed('127.0.0.1:4100')).toBe(true);
    expect(allowed.hostAllowed('evil.example:4100')).toBe(false);
    expect(allowed.hostAllowed(undefined)).toBe(false);
  });
});
