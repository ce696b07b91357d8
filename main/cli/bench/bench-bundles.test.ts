import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { benchBundleSpec, dropStale } from './bench-bundles';

describe('bench bundles', () => {
  it('reads a bundle name as config and precision', () => {
    expect(benchBundleSpec('b')).toEqual({ name: 'b', config: 'b', precision: 'fp32' });
    expect(benchBundleSpec('b-int4')).toEqual({ name: 'b-int4', config: 'b', precision: 'int4' });
    expect(benchBundleSpec('tiny-int8')).toEqual({ name: 'tiny-int8', config: 'tiny', precision: 'int8' });
    expect(() => benchBundleSpec('xl')).toThrow(/unknown bundle "xl" \(known: tiny, b, /);
    expect(() => benchBundleSpec('b-fp16')).toThrow(/unknown bundle/);
  });

  const folders: string[] = [];
  afterEach(() => {
    for (const folder of folders.splice(0)) {
      fs.rmSync(folder, { recursive: true, force: true });
    }
  });

  it("drops a bundle's older exports, and never another bundle's", () => {
    const cache = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-cache-'));
    folders.push(cache);
    const entries = ['b-0123456789abcdef', 'b-fedcba9876543210', '.b-0123456789abcdef-4242', 'b-int4-0123456789abcdef', 'tiny-0123456789abcdef', 'reference-256.png'];
    for (const entry of entries) {
      fs.mkdirSync(path.join(cache, entry));
    }
    dropStale(cache, 'b', 'b-fedcba9876543210');
    expect(fs.readdirSync(cache).sort()).toEqual(['b-fedcba9876543210', 'b-int4-0123456789abcdef', 'reference-256.png', 'tiny-0123456789abcdef']);
  });
});
