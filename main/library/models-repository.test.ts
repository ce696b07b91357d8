import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Database } from 'better-sqlite3';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { migratedMemoryDatabase } from './migrations/memory-database.test-helper';
import { copyTinyBundle, tinyBundle } from '../../test/fixtures/tiny-bundle';
import { loadBundle } from '../engine/bundle/load-bundle';
import { createModelsRepository, describeSource, type ImportProgress, type ModelsRepository } from './models-repository';

let db: Database;
let repo: ModelsRepository;
let bundle: string;
const copies: string[] = [];

beforeAll(async () => {
  bundle = await tinyBundle();
}, 300_000);

beforeEach(() => {
  db = migratedMemoryDatabase();
  repo = createModelsRepository(db, { validate: (dir, onProgress) => loadBundle(dir, onProgress ? { onProgress } : {}), now: () => 1_700_000_000_000 });
});
afterEach(() => {
  db.close();
  for (const copy of copies.splice(0)) {
    fs.rmSync(copy, { recursive: true, force: true });
  }
});

async function copy(): Promise<string> {
  const folder = await copyTinyBundle();
  copies.push(folder);
  return folder;
}

describe('models repository', () => {
  it('imports a bundle with its manifest summary and sampling defaults, and lists it', async () => {
    const manifest = JSON.parse(fs.readFileSync(path.join(bundle, 'manifest.json'), 'utf8')) as {
      name: string;
      sampling: unknown;
      config: { imageSize: number; prefixLength: number; tokensPerImage: number };
    };
    const model = await repo.import(bundle);
    expect(model).toMatchObject({
      name: manifest.name,
      path: path.resolve(bundle),
      formatVersion: 2,
      precision: 'fp32',
      imageSize: manifest.config.imageSize,
      prefixLength: manifest.config.prefixLength,
      tokensPerImage: manifest.config.tokensPerImage,
      sampling: manifest.sampling,
      source: 'random init (seed 0)',
      installedAt: 1_700_000_000_000,
    });
    expect(model.bundleSha256).toMatch(/^[0-9a-f]{64}$/);
    expect(model.sizeBytes).toBeGreaterThan(1_000_000);
    expect(repo.list()).toEqual([model]);
    expect(repo.get(model.id)).toEqual(model);
  });

  it('returns the existing row when the same bundle is imported again, from the same or another folder', async () => {
    const first = await repo.import(bundle);
    expect(await repo.import(bundle)).toEqual(first);
    const elsewhere = await copy();
    expect(await repo.import(elsewhere)).toEqual(first); // the first folder still exists
    expect(repo.list()).toHaveLength(1);
  });

  it('points the existing row at the new folder when the old one is gone', async () => {
    const moved = await copy();
    const first = await repo.import(moved);
    const target = await copy();
    fs.rmSync(moved, { recursive: true, force: true });
    expect(await repo.import(target)).toEqual({ ...first, path: path.resolve(target) });
    expect(repo.get(first.id).path).toBe(path.resolve(target));
  });

  it('refuses a bundle with one byte changed, naming the file', async () => {
    const folder = await copy();
    const file = path.join(folder, 'decode.onnx');
    const bytes = fs.readFileSync(file);
    const middle = bytes.length >> 1;
    bytes.writeUInt8(bytes.readUInt8(middle) ^ 0xff, middle);
    fs.writeFileSync(file, bytes);
    await expect(repo.import(folder)).rejects.toMatchObject({ code: 'bundle_invalid', message: expect.stringMatching(/decode\.onnx: sha256 does not match/) });
    expect(repo.list()).toEqual([]);
  });

  it('refuses a bundle missing a graph, and a folder that is not there', async () => {
    const folder = await copy();
    fs.rmSync(path.join(folder, 'prefill.onnx'));
    await expect(repo.import(folder)).rejects.toMatchObject({ code: 'bundle_invalid', message: expect.stringMatching(/prefill\.onnx: missing/) });
    const nowhere = path.join(os.tmpdir(), 'no-such-bundle-folder-for-this-test');
    await expect(repo.import(nowhere)).rejects.toMatchObject({ code: 'bundle_invalid', message: expect.stringContaining('no such folder') });
  });

  it('throws not_found for an unknown id', () => {
    expect(() => repo.get('5b1c2a4e-8f7d-4c3b-9a2e-1f0d3c4b5a69')).toThrow(expect.objectContaining({ code: 'not_found' }));
  });

  it('reports import progress over the whole bundle, ending at its size', async () => {
    const seen: ImportProgress[] = [];
    const model = await repo.import(bundle, (progress) => seen.push(progress));
    expect(seen.length).toBeGreaterThan(2);
    expect(seen.at(-1)).toMatchObject({ doneBytes: model.sizeBytes, totalBytes: model.sizeBytes });
  });

  it('removes a model, keeping its past generations and its folder', async () => {
    const model = await repo.import(bundle);
    insertGeneration(model.id, 'done');
    repo.remove(model.id);
    expect(repo.list()).toEqual([]);
    expect(db.prepare('SELECT model_id FROM generations').all()).toEqual([{ model_id: null }]);
    expect(fs.existsSync(path.join(bundle, 'manifest.json'))).toBe(true);
    expect(() => repo.remove(model.id)).toThrow(expect.objectContaining({ code: 'not_found' }));
  });

  it('refuses to remove a model with generations queued or running, keeping it', async () => {
    const model = await repo.import(bundle);
    insertGeneration(model.id, 'queued');
    insertGeneration(model.id, 'running');
    expect(() => repo.remove(model.id)).toThrow(
      expect.objectContaining({ code: 'conflict', message: 'The model has 2 generations queued or running; cancel them before removing the model' }),
    );
    expect(repo.list()).toEqual([model]);
  });
});

function insertGeneration(modelId: string, status: string): void {
  const id = randomUUID();
  db.prepare(
    `INSERT INTO generations (id, batch_id, variation, model_id, status, queue_position, prompt, params_json, seed, bundle_sha256, engine_version, created_at)
     VALUES (?, ?, 0, ?, ?, 0, 'a cat', '{}', '1', ?, '0.1.0', 1)`,
  ).run(id, id, modelId, status, 'f'.repeat(64));
}

describe('describeSource', () => {
  const source = (sources: unknown[]): string => JSON.stringify({ sources, exporter: { name: 'mentor_models.export' } });
  it.each([
    [source([{ role: 'random-init', seed: 7 }]), 'random init (seed 7)'],
    [source([{ role: 'mentor', file: 'stage2.pt', sha256: 'a' }, { role: 'vq', file: 'vq_ds16_t2i.pt' }]), 'official MENTOR checkpoint (stage2.pt)'],
    [source([{ role: 'vq', file: 'vq_ds16_t2i.pt' }, { role: 'trainer', file: 'step-0001200.pt' }]), 'trainer checkpoint step 1200'],
    [source([{ role: 'trainer', file: 'step-0000000.pt' }]), 'trainer checkpoint step 0'],
    [source([{ role: 'trainer', file: 'best.pt' }]), 'trainer checkpoint (best.pt)'],
    [source([{ role: 'llamagen-t2i', file: 't2i_XL_stage2_512.pt' }]), 'LlamaGen text-to-image checkpoint (t2i_XL_stage2_512.pt)'],
    [source([{ role: 'distilled', file: 'x.pt' }]), 'distilled (x.pt)'],
    [source([]), 'unknown source'],
    ['{}', 'unknown source'],
    ['not json', 'unknown source'],
  ])('%s → %s', (json, expected) => {
    expect(describeSource(json)).toBe(expected);
  });
});
