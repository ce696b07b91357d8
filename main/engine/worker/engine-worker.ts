// The engine worker process (built to out/main/engine-worker.cjs). onnxruntime's `run()` blocks its
// thread and a native fault would take the whole process with it, so generation lives here, apart from
// main (design.md §2): the supervisor in main starts it, sends jobs, and restarts it if it dies.
import { generate } from '../generate/generate';
import { encodePng } from '../png/png-encoder';
import { openRuntime } from '../runtime/open-runtime';
import { parentChannel } from './channel';
import { runWorkerLoop } from './worker-loop';

const decodeDelayMs = Number(process.env.MENTOR_ENGINE_TEST_DECODE_DELAY_MS ?? '0');

runWorkerLoop(
  parentChannel(),
  { openRuntime, generate, encodePng },
  Number.isFinite(decodeDelayMs) && decodeDelayMs > 0 ? { decodeDelayMs } : {},
);
