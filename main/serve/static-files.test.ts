import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { resolveStaticFile } from './static-files';

const root = mkdtempSync(path.join(os.tmpdir(), 'static-'));
mkdirSync(path.join(root, 'assets'));
writeFileSync(path.join(root, 'index.html'), '<!doctype html>');
writeFileSync(path.join(root, 'assets', 'app.js'), '');
writeFileSync(path.join(os.tmpdir(), 'outside-secret.txt'), 'secret');

describe('resolveStaticFile', () => {
  it('serves files inside the root and index.html for page routes', () => {
    expect(resolveStaticFile(root, '/assets/app.js')).toBe(path.join(root, 'assets', 'app.js'));
    expect(resolveStaticFile(root, '/')).toBe(path.join(root, 'index.html'));
    expect(resolveStaticFile(root, '/boards/123')).toBe(path.join(root, 'index.html'));
  });

  it('never leaves the root', () => {
    expect(resolveStaticFile(root, '/../outside-secret.txt')).toBeNull();
    expect(resolveStaticFile(root, '/%2e%2e/outside-secret.txt')).toBeNull();
    expect(resolveStaticFile(root, '/assets/%00.js')).toBeNull();
    expect(resolveStaticFile(root, '/%E0%A4%A.js')).toBeNull();
  });

  it('answers null for a missing file', () => {
    expect(resolveStaticFile(root, '/assets/missing.js')).toBeNull();
  });
});
