import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copyTinyBundle, removeTemporaryFolders, tinyBundle } from '../../../test/fixtures/tiny-bundle';
import { EngineError } from '../errors';
import { loadBundle } from './load-bundle';

type Json = Record<string, unknown>;

function readManifest(dir: string): Json {
  return JSON.parse(fs.readFileSync(path.join(dir, 'manifest.json'), 'utf8')) as Json;
}

function writeManifest(dir: string, manifest: Json): void {
  fs.writeFileSync(path.join(dir, 'manifest.json'), JSON.stringify(manifest, null, 2));
}

async function loadError(dir: string, options?: Parameters<typeof loadBundle>[1]): Promise<string> {
  const error = await loadBundle(dir, options).then(
    () => {
      throw new Error('expected loadBundle to fail');
    },
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(EngineError);
  expect((error as EngineError).code).toBe('bundle_invalid');
  return (error as EngineError).message;
}

describe('loadBundle', () => {
  beforeAll(async () => {
    await tinyBundle();
  }, 180_000);

  afterAll(() => {
    removeTemporaryFolders();
  });

  it('reads the tiny bundle: manifest, bundle hash, size, graph paths', async () => {
    const dir = await tinyBundle();
    const bundle = await loadBundle(dir);
    const manifestBytes = fs.readFileSync(path.join(dir, 'manifest.json'));
    expect(bundle.dir).toBe(path.resolve(dir));
    expect(bundle.bundleSha256).toBe(createHash('sha256').update(manifestBytes).digest('hex'));
    expect(bundle.manifest.config.tokensPerImage).toBe(16);
    expect(bundle.sizeBytes).toBe(bundle.manifest.files.reduce((sum, file) => sum + fs.statSync(path.join(dir, file.path)).size, 0));
    expect(bundle.graphPath('decode')).toBe(path.join(path.resolve(dir), 'decode.onnx'));
    expect(bundle.tokenizerPath).toBe(path.join(path.resolve(dir), 'tokenizer.json'));
  });

  it('reports progress over the listed bytes, file by file, ending at the total', async () => {
    const dir = await tinyBundle();
    const seen: { file: string; doneBytes: number; totalBytes: number }[] = [];
    const bundle = await loadBundle(dir, { onProgress: (progress) => seen.push(progress) });
    const total = bundle.sizeBytes;
    expect(seen.every((progress) => progress.totalBytes === total)).toBe(true);
    expect(seen.map((progress) => progress.doneBytes)).toEqual([...seen.map((progress) => progress.doneBytes)].sort((a, b) => a - b));
    expect(seen.at(-1)?.doneBytes).toBe(total);
    // Every listed file is named while it is checked, and the largest one reports bytes inside it.
    const largest = [...bundle.manifest.files].sort((a, b) => b.bytes - a.bytes)[0]!;
    expect(new Set(seen.map((progress) => progress.file))).toEqual(new Set(bundle.manifest.files.map((file) => file.path)));
    expect(seen.filter((progress) => progress.file === largest.path).length).toBeGreaterThan(1);
  });

  it('names a missing file', async () => {
    const dir = await copyTinyBundle();
    fs.rmSync(path.join(dir, 'decode.onnx'));
    expect(await loadError(dir)).toBe(`${dir}: decode.onnx: missing`);
  });

  it('names a file with one byte changed, and every damaged file at once', async () => {
    const dir = await copyTinyBundle();
    const prefill = path.join(dir, 'prefill.onnx');
    const bytes = fs.readFileSync(prefill);
    const middle = bytes.length >> 1;
    bytes[middle] = bytes[middle]! ^ 0x01;
    fs.writeFileSync(prefill, bytes);
    fs.appendFileSync(path.join(dir, 'tokenizer.json'), ' ');
    const message = await loadError(dir);
    expect(message).toContain('prefill.onnx: sha256 does not match the manifest (file changed or damaged)');
    expect(message).toMatch(/tokenizer\.json: \d+ bytes, the manifest says \d+ \(file changed or damaged\)/);
    // Without verification only sizes are checked.
    expect(await loadError(dir, { verify: false })).not.toContain('prefill.onnx');
    fs.rmSync(path.join(dir, 'tokenizer.json'));
    await expect(loadBundle(dir, { verify: false })).rejects.toThrow('tokenizer.json: missing');
  });

  it('refuses an unknown formatVersion', async () => {
    const dir = await copyTinyBundle();
    writeManifest(dir, { ...readManifest(dir), formatVersion: 7 });
    expect(await loadError(dir)).toBe(`${path.join(dir, 'manifest.json')}: formatVersion 7 is newer than this build reads (2); update MENTOR Studio`);
  });

  it('refuses a manifest that is not JSON, and a folder without one', async () => {
    const dir = await copyTinyBundle();
    fs.writeFileSync(path.join(dir, 'manifest.json'), '{"format": "mentor-bundle",');
    expect(await loadError(dir)).toMatch(new RegExp(`^${escape(path.join(dir, 'manifest.json'))}: not valid JSON \\(`));
    fs.rmSync(path.join(dir, 'manifest.json'));
    expect(await loadError(dir)).toBe(`${dir}: no manifest.json (not a model bundle, or an export that did not finish)`);
    expect(await loadError(path.join(dir, 'nope'))).toBe(`${path.join(dir, 'nope')}: no such folder`);
  });

  it('refuses a path that leaves the folder', async () => {
    const dir = await copyTinyBundle();
    const manifest = readManifest(dir);
    const files = manifest.files as Json[];
    files[0] = { ...files[0], path: '../decode.onnx' };
    writeManifest(dir, manifest);
    expect(await loadError(dir)).toBe(`${path.join(dir, 'manifest.json')}: files[0].path: "../decode.onnx" leaves the bundle folder ("..")`);
  });

  it('refuses a graph or tokenizer that files does not list', async () => {
    const dir = await copyTinyBundle();
    const manifest = readManifest(dir);
    manifest.graphs = { ...(manifest.graphs as Json), decode: 'decode2.onnx' };
    manifest.tokenizer = 'tok.json';
    writeManifest(dir, manifest);
    expect(await loadError(dir)).toBe(
      `${path.join(dir, 'manifest.json')}: graphs.decode: decode2.onnx is not listed in files; tokenizer: tok.json is not listed in files`,
    );
  });

  it('reports a field the schema refuses with its path', async () => {
    const dir = await copyTinyBundle();
    const manifest = readManifest(dir);
    manifest.config = { ...(manifest.config as Json), ropeVariant: 'other' };
    writeManifest(dir, manifest);
    expect(await loadError(dir)).toContain(`${path.join(dir, 'manifest.json')}: config.ropeVariant: `);
  });
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
