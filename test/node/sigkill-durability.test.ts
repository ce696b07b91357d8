// Kill `serve` with SIGKILL in the middle of writes, 20 times over the same library: the database
// must stay intact and every write that was acknowledged before the kill must still be there.
import Database from 'better-sqlite3';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { startServe, temporaryHome, type ServeProcess } from '../fixtures/serve-process';

const rounds = 20;
const writersPerRound = 4;

async function createBoard(serve: ServeProcess, name: string): Promise<boolean> {
  try {
    const response = await fetch(new URL('api/rpc/boards:create', serve.baseUrl), {
      method: 'POST',
      headers: { Authorization: `Bearer ${serve.token}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ name }),
    });
    const body = (await response.json()) as { ok: boolean };
    return body.ok;
  } catch {
    return false; // the kill landed while this request was in flight: not acknowledged
  }
}

describe('serve under SIGKILL', () => {
  it(`keeps the library intact and every acknowledged write, over ${rounds} kills`, async () => {
    const home = temporaryHome('mentor-studio-sigkill-');
    const acknowledged: string[] = [];
    let attempted = 0;

    for (let round = 0; round < rounds; round++) {
      const serve = await startServe({ home });
      let running = true;
      const writers = Array.from({ length: writersPerRound }, async (_, writer) => {
        for (let i = 0; running; i++) {
          const name = `round ${round} writer ${writer} board ${i}`;
          attempted++;
          if (await createBoard(serve, name)) {
            acknowledged.push(name);
          }
        }
      });
      // Vary the moment of the kill so it lands at different points of a write.
      await new Promise((resolve) => setTimeout(resolve, 40 + ((round * 37) % 160)));
      serve.child.kill('SIGKILL');
      await serve.stop();
      running = false;
      await Promise.all(writers);
    }

    const db = new Database(path.join(home, 'library.sqlite'), { readonly: true });
    try {
      expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
      const stored = new Set((db.prepare('SELECT name FROM boards').all() as { name: string }[]).map((row) => row.name));
      const lost = acknowledged.filter((name) => !stored.has(name));
      expect(lost).toEqual([]);
    } finally {
      db.close();
    }
    expect(acknowledged.length).toBeGreaterThan(rounds); // the test really wrote while killing
    console.log(`sigkill: ${rounds} kills, ${attempted} writes attempted, ${acknowledged.length} acknowledged, none lost`);

    // The studio starts again on the killed library and reports it healthy.
    const serve = await startServe({ home });
    try {
      const health = await fetch(new URL(`api/health?token=${serve.token}`, serve.baseUrl));
      expect(await health.json()).toMatchObject({ library: { state: 'ok' } });
    } finally {
      await serve.stop();
    }
  }, 180_000);
});
