// The engine supervisor with the real worker process and the tiny bundle: results, determinism, a worker
// killed mid-job, cancel, timeouts, and bad input failing one job while the queue goes on.
import BetterSqlite3 from 'better-sqlite3';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { parseGenerationMetadata } from '../../main/engine/png/generation-metadata';
import { readPngText } from '../../main/engine/png/png-encoder';
import { hugeHeaderPng, referencePng, startEngineHarness, type EngineHarness, type HarnessOptions } from '../fixtures/engine-harness';
import { copyTinyBundle, tinyBundle } from '../fixtures/tiny-bundle';

const harnesses: EngineHarness[] = [];
const copies: string[] = [];

beforeAll(async () => {
  await tinyBundle();
}, 300_000);

afterEach(async () => {
  await Promise.all(harnesses.splice(0).map((harness) => harness.close()));
  for (const copy of copies.splice(0)) {
    fs.rmSync(copy, { recursive: true, force: true });
  }
});

async function harness(options: HarnessOptions = {}): Promise<EngineHarness> {
  const started = await startEngineHarness(options);
  harnesses.push(started);
  return started;
}

function stateEvents(h: EngineHarness, batchId: string): string[] {
  return h.events.flatMap((entry) => (entry.event === 'generation:state' && entry.payload.batchId === batchId ? [entry.payload.status] : []));
}

describe('engine supervisor: results', () => {
  it('runs a batch to done: PNG assets whose text chunks give back the parameters', async () => {
    const h = await harness();
    const reference = h.library.assets.put(await referencePng(), { mime: 'image/png' }).sha256;
    const params = { cfgScale: 3, temperature: 0.8, topK: 50, topP: 0.95 };
    const batchId = h.enqueue({ prompt: 'The cat in <image>. A cat as a pixel-art hero', references: [reference], seed: '18446744073709551615', count: 2, params });
    await h.waitFor(batchId, ['done']);

    const rows = h.library.generations.batch(batchId);
    expect(stateEvents(h, batchId)).toEqual(['running', 'done']);
    for (const row of rows) {
      const bytes = h.library.assets.read(row.resultSha256!);
      expect(bytes.subarray(1, 4).toString('latin1')).toBe('PNG');
      const meta = parseGenerationMetadata(readPngText(bytes));
      expect(meta).toMatchObject({
        prompt: 'The cat in <image>. A cat as a pixel-art hero',
        seed: '18446744073709551615',
        params,
        variation: row.variation,
        count: 2,
        references: [reference],
        model: { name: h.model.name, bundleSha256: h.model.bundleSha256 },
        width: h.model.imageSize,
        height: h.model.imageSize,
      });
      expect(row.startedAt).not.toBeNull();
      expect(row.finishedAt).not.toBeNull();
    }
    expect(rows[0]!.resultSha256).not.toBe(rows[1]!.resultSha256); // variations differ
    expect(h.progressOf(batchId).length).toBeGreaterThan(0);
    expect(h.supervisor.state()).toMatchObject({ state: 'idle', device: 'cpu' });
  });

  it('gives byte-identical PNGs for the same seed and different images for different seeds', async () => {
    const h = await harness();
    const a = h.enqueue({ seed: '7' });
    const b = h.enqueue({ seed: '7' });
    const c = h.enqueue({ seed: '8' });
    await h.waitFor(c, ['done']);
    await h.waitFor(a, ['done']);
    await h.waitFor(b, ['done']);
    const sha = (batchId: string): string => h.library.generations.batch(batchId)[0]!.resultSha256!;
    expect(sha(a)).toBe(sha(b));
    expect(h.library.assets.read(sha(a)).equals(h.library.assets.read(sha(b)))).toBe(true);
    expect(sha(c)).not.toBe(sha(a));
  });
});

describe('engine supervisor: a dead or stuck worker', () => {
  it('fails the running job with the reason when the worker is SIGKILLed, and runs the next one in a new worker', async () => {
    const h = await harness({ decodeDelayMs: 150 });
    const doomed = h.enqueue({ seed: '1' });
    const next = h.enqueue({ seed: '2' });
    await h.firstProgress(doomed);
    const pid = h.supervisor.workerPid();
    expect(pid).toBeDefined();
    process.kill(pid!, 'SIGKILL');

    await h.waitFor(doomed, ['failed']);
    expect(h.library.generations.batch(doomed)[0]!.error).toBe(
      'The engine process died (signal SIGKILL) while generating; the job was stopped.',
    );
    await h.waitFor(next, ['done']);
    expect(h.supervisor.workerPid()).not.toBe(pid);
  });

  it('stops a job over the time limit by restarting the worker, and goes on with the queue', async () => {
    const h = await harness({ decodeDelayMs: 100, jobTimeoutMs: 5_000 });
    const stuck = h.enqueue({ seed: '1' });
    const after = h.enqueue({ seed: '2' });
    await h.firstProgress(stuck);
    const pid = h.supervisor.workerPid()!;
    process.kill(pid, 'SIGSTOP'); // a job that never finishes
    await h.waitFor(stuck, ['failed']);
    expect(h.library.generations.batch(stuck)[0]!.error).toBe(
      'The generation took longer than 5 s and was stopped (the engine process was restarted).',
    );
    await h.waitFor(after, ['done']);
    expect(h.supervisor.workerPid()).not.toBe(pid);
  });
});

describe('engine supervisor: cancel', () => {
  it('stops a running batch within one image row and marks it cancelled', async () => {
    const h = await harness({ decodeDelayMs: 150 });
    const running = h.enqueue({ seed: '1', count: 2 });
    const after = h.enqueue({ seed: '2' });
    const cancelledAt = await h.firstProgress(running);
    expect(h.supervisor.cancel(running)).toBe(2);
    await h.waitFor(after, ['done']);
    expect(h.library.generations.batch(running).map((row) => row.status)).toEqual(['cancelled', 'cancelled']);
    const rowsAfterCancel = h.progressOf(running).filter((entry) => entry.at > cancelledAt).length;
    expect(rowsAfterCancel).toBeLessThanOrEqual(1);
    expect(stateEvents(h, running)).toEqual(['running', 'cancelled']);
  });

  it('cancels a queued batch without running it', async () => {
    const h = await harness({ decodeDelayMs: 100 });
    const first = h.enqueue({ seed: '1' });
    const queued = h.enqueue({ seed: '2' });
    const last = h.enqueue({ seed: '3' });
    expect(h.supervisor.cancel(queued)).toBe(1);
    await h.waitFor(last, ['done']);
    await h.waitFor(first, ['done']);
    expect(stateEvents(h, queued)).toEqual(['cancelled']);
    expect(h.progressOf(queued)).toEqual([]);
    expect(h.supervisor.cancel(queued)).toBe(0); // already over
  });

  it('kills a worker that does not answer a cancel in time', async () => {
    const h = await harness({ decodeDelayMs: 150, cancelGraceMs: 500 });
    const stuck = h.enqueue({ seed: '1' });
    const after = h.enqueue({ seed: '2' });
    await h.firstProgress(stuck);
    const pid = h.supervisor.workerPid()!;
    process.kill(pid, 'SIGSTOP'); // as if blocked inside one long graph call
    h.supervisor.cancel(stuck);
    await h.waitFor(after, ['done']);
    expect(h.library.generations.batch(stuck)[0]!.status).toBe('cancelled');
    expect(h.supervisor.workerPid()).not.toBe(pid);
  });
});

describe('engine supervisor: bad input fails one job, the queue goes on', () => {
  async function expectFailsAlone(
    h: EngineHarness,
    bad: { prompt?: string; references?: string[]; model?: EngineHarness['model'] },
    message: RegExp,
  ): Promise<void> {
    const failing = h.enqueue({ prompt: bad.prompt ?? 'a cat like <image>', ...bad });
    const behind = h.enqueue({ seed: '5' });
    await h.waitFor(failing, ['failed']);
    expect(h.library.generations.batch(failing)[0]!.error).toMatch(message);
    await h.waitFor(behind, ['done']);
  }

  const asset = (h: EngineHarness, bytes: Buffer): string => h.library.assets.put(bytes, { mime: 'image/png' }).sha256;

  it('a corrupt PNG', async () => {
    const h = await harness();
    const png = await referencePng(64);
    const corrupt = Buffer.from(png.subarray(0, Math.floor(png.length * 0.6)));
    await expectFailsAlone(h, { references: [asset(h, corrupt)] }, /^reference image 1 \([0-9a-f]{12}\): .*(damaged|truncated)/);
  });

  it('a zero-byte file', async () => {
    const h = await harness();
    await expectFailsAlone(h, { references: [asset(h, Buffer.alloc(0))] }, /^reference image 1 \([0-9a-f]{12}\): .*empty/);
  });

  it('a PNG whose header claims 30000×30000', async () => {
    const h = await harness();
    await expectFailsAlone(h, { references: [asset(h, hugeHeaderPng(30_000, 30_000))] }, /30000\s*[×x]\s*30000/);
  });

  it('a text file named .png', async () => {
    const h = await harness();
    await expectFailsAlone(h, { references: [asset(h, Buffer.from('just some notes, not an image\n'))] }, /^reference image 1 \([0-9a-f]{12}\): is not an image/);
  });

  it('more <image> markers than images', async () => {
    const h = await harness();
    const one = asset(h, await referencePng());
    await expectFailsAlone(h, { prompt: '<image> and <image> together', references: [one] }, /marker|<image>/);
  });

  it('a bundle with one byte changed', async () => {
    const h = await harness();
    const folder = await damagedCopy((dir) => {
      const file = path.join(dir, 'decode.onnx');
      const bytes = fs.readFileSync(file);
      const middle = bytes.length >> 1;
      bytes.writeUInt8(bytes.readUInt8(middle) ^ 0x01, middle);
      fs.writeFileSync(file, bytes);
    });
    await expectFailsAloneOnBundle(h, folder, /decode\.onnx: sha256 does not match the manifest/);
  });

  it('a bundle missing a graph', async () => {
    const h = await harness();
    const folder = await damagedCopy((dir) => fs.rmSync(path.join(dir, 'vq_decode.onnx')));
    await expectFailsAloneOnBundle(h, folder, /vq_decode\.onnx: missing/);
  });
});

async function damagedCopy(damage: (dir: string) => void): Promise<string> {
  const folder = await copyTinyBundle();
  copies.push(folder);
  damage(folder);
  return folder;
}

/**
 * Points the model row at a damaged folder for one job (a bundle that was fine when imported and broke
 * on disk later), then back at the good bundle for the job queued behind it.
 */
async function expectFailsAloneOnBundle(h: EngineHarness, folder: string, message: RegExp): Promise<void> {
  setModelPath(h, folder);
  const failing = h.enqueue();
  await h.waitFor(failing, ['failed']);
  expect(h.library.generations.batch(failing)[0]!.error).toMatch(message);
  setModelPath(h, h.model.path);
  const behind = h.enqueue({ seed: '5' });
  await h.waitFor(behind, ['done']);
}

/** The library has no "move model" method; this edits the row as a moved bundle folder would need. */
function setModelPath(h: EngineHarness, folder: string): void {
  const db = new BetterSqlite3(path.join(h.dataFolder, 'library.sqlite'));
  try {
    db.prepare('UPDATE models SET path = ? WHERE id = ?').run(folder, h.model.id);
  } finally {
    db.close();
  }
}
