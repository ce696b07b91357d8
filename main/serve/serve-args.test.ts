import { describe, expect, it } from 'vitest';
import { isLoopbackHost, parseServeArgs } from './serve-args';

describe('parseServeArgs', () => {
  it('defaults to a free loopback port', () => {
    expect(parseServeArgs([])).toEqual({ port: 0, host: '127.0.0.1', home: undefined, open: false });
  });

  it('reads --port, --home and --host in both spellings', () => {
    expect(parseServeArgs(['--port', '4100', '--home=/tmp/x', '--host', '0.0.0.0'])).toMatchObject({
      port: 4100,
      home: '/tmp/x',
      host: '0.0.0.0',
    });
  });

  it('explains a bad port, a missing value and an unknown flag', () => {
    expect(() => parseServeArgs(['--port', 'http'])).toThrow('--port must be a whole number from 0 to 65535, got "http"');
    expect(() => parseServeArgs(['--home'])).toThrow('--home needs a value');
    expect(() => parseServeArgs(['--token', 'x'])).toThrow('Unknown option "--token"');
  });
});

describe('isLoopbackHost', () => {
  it('knows loopback from the rest', () => {
    expect(isLoopbackHost('127.0.0.1')).toBe(true);
    expect(isLoopbackHost('localhost')).toBe(true);
    expect(isLoopbackHost('0.0.0.0')).toBe(false);
    expect(isLoopbackHost('192.168.1.2')).toBe(false);
  });
});
