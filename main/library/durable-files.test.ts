import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { writeFileAtomic } from './durable-files';

let folder: string;
beforeEach(() => {
  folder = fs.mkdtempSync(path.join(os.tmpdir(), 'durable-files-'));
});
afterEach(() => {
  fs.rmSync(folder, { recursive: true, force: true });
});

describe('writeFileAtomic', () => {
  it('writes the bytes, creating the folder, and leaves no temp file', () => {
    const file = path.join(folder, 'a', 'b.bin');
    writeFileAtomic(file, Buffer.from('hello'));
    expect(fs.readFileSync(file, 'utf8')).toBe('hello');
    expect(fs.readdirSync(path.dirname(file))).toEqual(['b.bin']);
  });

  it('replaces an existing file whole', () => {
    const file = path.join(folder, 'b.bin');
    fs.writeFileSync(file, 'old contents that are longer');
    writeFileAtomic(file, Buffer.from('new'));
    expect(fs.readFileSync(file, 'utf8')).toBe('new');
  });

  it('leaves neither the final file nor the temp file when it fails before the rename', () => {
    const file = path.join(folder, 'b.bin');
    let tempSeen = '';
    expect(() =>
      writeFileAtomic(file, Buffer.from('partial'), {
        beforeRename: (tempPath) => {
          tempSeen = tempPath;
          expect(fs.readFileSync(tempPath, 'utf8')).toBe('partial');
          throw new Error('simulated crash');
        },
      }),
    ).toThrow('simulated crash');
    expect(path.dirname(tempSeen)).toBe(folder);
    expect(fs.readdirSync(folder)).toEqual([]);
  });

  it('keeps the old file when it fails before the rename', () => {
    const file = path.join(folder, 'b.bin');
    fs.writeFileSync(file, 'old');
    expect(() => writeFileAtomic(file, Buffer.from('new'), { beforeRename: () => { throw new Error('crash'); } })).toThrow();
    expect(fs.readFileSync(file, 'utf8')).toBe('old');
    expect(fs.readdirSync(folder)).toEqual(['b.bin']);
  });
});
