/**
 * This machine's memory bandwidth, measured as large buffer copies (memcpy under Buffer.copy).
 *
 * Reported as copy bandwidth = (bytes read + bytes written) / time, the best of a few repeats: a copy of
 * 256 MiB counts 512 MiB of traffic. With `threads` > 1, each worker thread copies its own buffers at the
 * same time and the total traffic is divided by the slowest worker's time (every core streaming at
 * once, as onnxruntime's intra-op threads do in a decode step).
 */
import { Worker } from 'node:worker_threads';

export type CopyBandwidth = {
  threads: number;
  bytesPerCopy: number;
  /** Read + write bytes per second over all threads, in GB/s (10⁹). */
  readWriteGBs: number;
};

const workerSource = `
const { parentPort, workerData } = require('node:worker_threads');
const { bytes, repeats, start } = workerData;
const src = Buffer.alloc(bytes, 1);
const dst = Buffer.alloc(bytes, 0);
src.copy(dst); // fault every page in before timing
parentPort.postMessage('ready');
parentPort.once('message', () => {
  const times = [];
  for (let i = 0; i < repeats; i++) {
    const t0 = process.hrtime.bigint();
    src.copy(dst);
    times.push(Number(process.hrtime.bigint() - t0) / 1e9);
  }
  parentPort.postMessage(times);
});
`;

function runWorker(bytes: number, repeats: number): { ready: Promise<void>; go: () => Promise<number[]> } {
  const worker = new Worker(workerSource, { eval: true, workerData: { bytes, repeats } });
  let resolveReady: () => void = () => undefined;
  const ready = new Promise<void>((resolve, reject) => {
    resolveReady = resolve;
    worker.once('error', reject);
  });
  let resolveTimes: (times: number[]) => void = () => undefined;
  const times = new Promise<number[]>((resolve, reject) => {
    resolveTimes = resolve;
    worker.once('error', reject);
  });
  worker.on('message', (message: unknown) => {
    if (message === 'ready') {
      resolveReady();
    } else {
      resolveTimes(message as number[]);
      void worker.terminate();
    }
  });
  return {
    ready,
    go: () => {
      worker.postMessage('go');
      return times;
    },
  };
}

/** Best-of-`repeats` copy bandwidth with `threads` workers, each copying `bytes` per repeat. */
export async function measureCopyBandwidth(threads: number, bytes = 256 * 1024 * 1024, repeats = 5): Promise<CopyBandwidth> {
  const workers = Array.from({ length: threads }, () => runWorker(bytes, repeats));
  await Promise.all(workers.map((worker) => worker.ready));
  const results = await Promise.all(workers.map((worker) => worker.go()));
  // Repeat i of every worker ran at about the same time: the slowest worker bounds that round.
  let best = Infinity;
  for (let i = 0; i < repeats; i++) {
    best = Math.min(best, Math.max(...results.map((times) => times[i] ?? Infinity)));
  }
  return { threads, bytesPerCopy: bytes, readWriteGBs: (2 * bytes * threads) / best / 1e9 };
}
