/**
 * The engine supervisor (design.md §2): owns the engine worker process and runs the queue that lives in
 * the library database, one batch on the device at a time.
 *
 * - The worker starts with the first job and stays up between jobs (the model stays loaded).
 * - A worker that dies mid-job (native fault, out of memory, killed) fails that batch with the reason;
 *   the next batch starts a new worker. Jobs are never retried automatically: a job that crashes the
 *   worker would crash it again.
 * - An error of one job (bad image, prompt, bundle) fails that batch only; the queue goes on.
 * - A job over `jobTimeoutMs` is stopped by killing the worker. Cancel of the running batch asks the
 *   worker to stop at the next image row and kills it if it has not answered within `cancelGraceMs`.
 * - Rows left `running` by a studio that stopped mid-job are marked `interrupted` at start.
 * - Paused (`queue.paused` in the library's settings, so it survives a restart): the running batch
 *   finishes, nothing new starts until resumed.
 * - A finished batch that belongs to a board is placed on it, next to the items it was made from.
 */
import type { EngineState, Generation, Model } from '../../../preload/contract';
import type { AssetStore } from '../../library/asset-store';
import type { BoardItemsRepository } from '../../library/board-items-repository';
import type { GenerationsRepository } from '../../library/generations-repository';
import type { ModelsRepository } from '../../library/models-repository';
import type { SettingsRepository } from '../../library/settings-repository';
import type { EventBus } from '../../services/event-bus';
import { FromWorker, describeMessageIssues, type DoneMessage, type RunMessage, type WorkerReference } from '../worker/messages';
import { placeResultsOnBoard, type FinishedBatch } from './place-results';
import type { WorkerExit, WorkerLauncher, WorkerProcess } from './worker-process';

export type SupervisorLibrary = {
  generations: GenerationsRepository;
  models: Pick<ModelsRepository, 'get'>;
  assets: Pick<AssetStore, 'put' | 'pathOf'>;
  boardItems: Pick<BoardItemsRepository, 'placeResults'>;
  settings: Pick<SettingsRepository, 'get' | 'set'>;
};

/** The settings key that keeps the queue paused across restarts. */
export const queuePausedSetting = 'queue.paused';

export type EngineSupervisorOptions = {
  library: SupervisorLibrary;
  events: EventBus;
  launchWorker: WorkerLauncher;
  device?: 'cpu' | 'cuda';
  /** onnxruntime intra-op threads; absent: the runtime's default. */
  threads?: number;
  /** The bundle hash cache file the worker shares with main. */
  hashCachePath?: string;
  /** Default 30 minutes. */
  jobTimeoutMs?: number;
  /** How long a running job may take to stop after a cancel before the worker is killed; default 5 s. */
  cancelGraceMs?: number;
  /** How long a new worker may take to say `ready`; default 30 s. */
  startupTimeoutMs?: number;
  /** Minimum time between previews sent as events; default 500 ms. */
  previewIntervalMs?: number;
  /** Written with the parameters into each PNG's text chunks; absent: PNGs without parameters. */
  engineVersion?: string;
  logError?: (message: string, error: unknown) => void;
};

export type EngineSupervisor = {
  /** Marks rows left `running` as interrupted and starts on the queued work. Call once. */
  start(): void;
  /** New work was queued: run it when the device is free (and the queue is not paused). */
  kick(): void;
  /** Whether the queue is paused: the running batch finishes, nothing new starts. */
  isPaused(): boolean;
  /** Pauses or resumes the queue and remembers it across restarts; resuming starts the next batch. */
  setPaused(paused: boolean): void;
  /**
   * Cancels a batch: queued rows at once; a running batch is marked cancelled now and its job stops at
   * the next image row. Returns the rows cancelled; throws `not_found` for an unknown batch.
   */
  cancel(batchId: string): number;
  state(): EngineState;
  /** The worker's pid while one is running (tests kill it). */
  workerPid(): number | undefined;
  /** Stops the worker; rows still running stay `running` and are found interrupted at the next start. */
  close(): Promise<void>;
};

type Outcome = { kind: 'done'; message: DoneMessage } | { kind: 'failed'; code: string; message: string };

type Job = {
  jobId: string;
  batchId: string;
  settle(outcome: Outcome): void;
  settled: boolean;
  cancelRequested: boolean;
  timers: NodeJS.Timeout[];
  lastPreviewAt: number;
};

type Worker = {
  process: WorkerProcess;
  ready: Promise<void>;
};

const defaultJobTimeoutMs = 30 * 60_000;

export function createEngineSupervisor(options: EngineSupervisorOptions): EngineSupervisor {
  const { library, events } = options;
  const device = options.device ?? 'cpu';
  const jobTimeoutMs = options.jobTimeoutMs ?? defaultJobTimeoutMs;
  const cancelGraceMs = options.cancelGraceMs ?? 5_000;
  const startupTimeoutMs = options.startupTimeoutMs ?? 30_000;
  const previewIntervalMs = options.previewIntervalMs ?? 500;
  const logError = options.logError ?? ((message, error) => console.error(message, error));

  let worker: Worker | null = null;
  let job: Job | null = null;
  let pumping = false;
  let closed = false;
  let jobCounter = 0;
  let engineState: EngineState = {
    state: 'not-loaded',
    device: null,
    detail: 'No model loaded yet: the engine starts with the first generation.',
  };

  const setState = (next: EngineState): void => {
    if (next.state === engineState.state && next.device === engineState.device && next.detail === engineState.detail) {
      return;
    }
    engineState = next;
    if (!closed) {
      events.emit('engine:state', next);
    }
  };

  const emitBatchState = (batchId: string, status: Generation['status'], error: string | null): void => {
    if (closed) {
      return;
    }
    const generationIds = library.generations.batch(batchId).map((row) => row.id);
    events.emit('generation:state', { batchId, status, error, generationIds });
  };

  const finish = (current: Job, outcome: Outcome): void => {
    if (current.settled) {
      return;
    }
    current.settled = true;
    current.timers.forEach(clearTimeout);
    current.settle(outcome);
  };

  // #region Worker process

  const startWorker = (): Worker => {
    const proc = options.launchWorker();
    let markReady: () => void = () => undefined;
    let markFailed: (error: Error) => void = () => undefined;
    const ready = new Promise<void>((resolve, reject) => {
      markReady = resolve;
      markFailed = reject;
    });
    // Nobody may be waiting yet; a failed start is reported to the job that waits.
    ready.catch(() => undefined);
    const startup = setTimeout(() => {
      markFailed(new Error(`the engine process did not start within ${Math.round(startupTimeoutMs / 1000)} s`));
      proc.kill('SIGKILL');
    }, startupTimeoutMs);
    const current: Worker = { process: proc, ready };

    proc.onMessage((raw) => {
      const parsed = FromWorker.safeParse(raw);
      if (!parsed.success) {
        logError('The engine worker sent a malformed message', new Error(describeMessageIssues(parsed.error)));
        if (job !== null && worker === current) {
          finish(job, { kind: 'failed', code: 'internal', message: `The engine sent a malformed reply (${describeMessageIssues(parsed.error)})` });
        }
        proc.kill('SIGKILL');
        return;
      }
      const message = parsed.data;
      if (message.type === 'ready') {
        clearTimeout(startup);
        markReady();
        return;
      }
      if (message.type === 'failed' && message.jobId === null && job !== null && worker === current) {
        // The worker could not read what it was sent (a bug on this side): fail the job now, not at its timeout.
        finish(job, { kind: 'failed', code: message.code, message: message.message });
        return;
      }
      if (job === null || message.jobId !== job.jobId) {
        return; // a late reply for a job already given up on (cancelled, timed out)
      }
      handleJobMessage(job, message);
    });
    proc.onExit((exit) => {
      clearTimeout(startup);
      markFailed(new Error(`the engine process ended while starting (${describeExit(exit)})`));
      if (worker === current) {
        worker = null;
        if (job !== null) {
          finish(job, {
            kind: 'failed',
            code: 'worker_crashed',
            message: `The engine process died (${describeExit(exit)}) while generating; the job was stopped.`,
          });
        }
        if (!closed) {
          setState({
            state: 'not-loaded',
            device: null,
            detail: `The engine process stopped (${describeExit(exit)}); it starts again with the next generation.`,
          });
        }
      }
    });
    return current;
  };

  const ensureWorker = async (): Promise<WorkerProcess> => {
    worker ??= startWorker();
    const current = worker;
    await current.ready;
    return current.process;
  };

  const killWorker = (): void => {
    const current = worker;
    worker = null;
    current?.process.kill('SIGKILL');
  };

  // #endregion

  // #region Jobs

  const handleJobMessage = (current: Job, message: Exclude<FromWorker, { type: 'ready' }>): void => {
    switch (message.type) {
      case 'loaded':
        setState({
          state: 'busy',
          device: message.device,
          detail: message.deviceNote ?? `Generating on ${message.device === 'cuda' ? 'the GPU (CUDA)' : 'the CPU'}.`,
        });
        return;
      case 'progress': {
        if (current.cancelRequested || closed) {
          return;
        }
        const now = performance.now();
        const withPreview = message.preview !== undefined && now - current.lastPreviewAt >= previewIntervalMs;
        if (withPreview) {
          current.lastPreviewAt = now;
        }
        events.emit('generation:progress', {
          batchId: current.batchId,
          row: message.row,
          rows: message.rows,
          tokensPerSecond: message.tokensPerSecond,
          etaMs: message.etaMs,
          ...(withPreview && message.preview !== undefined ? { preview: message.preview } : {}),
        });
        return;
      }
      case 'done':
        finish(current, { kind: 'done', message });
        return;
      case 'failed':
        finish(current, { kind: 'failed', code: message.code, message: message.message });
        return;
    }
  };

  /** Sends one job and resolves with how it ended; never rejects. */
  const runJob = (batchId: string, message: Omit<RunMessage, 'jobId'>): Promise<Outcome> =>
    new Promise<Outcome>((resolve) => {
      const jobId = `job-${++jobCounter}`;
      const current: Job = { jobId, batchId, settle: resolve, settled: false, cancelRequested: false, timers: [], lastPreviewAt: -Infinity };
      job = current;
      current.timers.push(
        setTimeout(() => {
          finish(current, {
            kind: 'failed',
            code: 'timeout',
            message: `The generation took longer than ${formatDuration(jobTimeoutMs)} and was stopped (the engine process was restarted).`,
          });
          killWorker();
        }, jobTimeoutMs),
      );
      ensureWorker().then(
        (proc) => {
          if (current.cancelRequested) {
            finish(current, { kind: 'failed', code: 'cancelled', message: 'Cancelled' });
          } else if (!current.settled) {
            proc.send({ ...message, jobId });
          }
        },
        (error: unknown) => {
          killWorker();
          finish(current, { kind: 'failed', code: 'worker_crashed', message: `The engine could not start: ${(error as Error).message}.` });
        },
      );
    });

  const referencesOf = (row: Generation): WorkerReference[] =>
    row.references.map((sha256, index) => ({ name: `reference image ${index + 1} (${sha256.slice(0, 12)})`, path: library.assets.pathOf(sha256) }));

  const runBatch = async (rows: Generation[]): Promise<void> => {
    const first = rows[0]!;
    const { batchId } = first;
    if (library.generations.markRunning(batchId) === 0) {
      return; // cancelled between being picked and started
    }
    emitBatchState(batchId, 'running', null);
    setState({ state: 'busy', device: engineState.device ?? device, detail: 'Preparing the generation…' });

    let outcome: Outcome;
    let model: Model | null = null;
    try {
      if (first.modelId === null) {
        throw new Error('its model was removed from the library');
      }
      model = library.models.get(first.modelId);
      const { variationCount } = library.generations.batchOrigin(batchId);
      const request: RunMessage['request'] = {
        prompt: first.prompt,
        references: referencesOf(first),
        seed: first.seed,
        count: rows.length,
        params: first.params,
        // A re-run of variation v is a batch of one from v: same uniforms, same image.
        ...(first.variation === 0 ? {} : { firstVariation: first.variation }),
      };
      if (options.engineVersion !== undefined) {
        request.metadata = { references: first.references, engineVersion: options.engineVersion, count: variationCount };
      }
      outcome = await runJob(batchId, {
        type: 'run',
        bundleDir: model.path,
        device,
        ...(options.threads === undefined ? {} : { threads: options.threads }),
        ...(options.hashCachePath === undefined ? {} : { hashCachePath: options.hashCachePath }),
        request,
      });
    } catch (error) {
      outcome = { kind: 'failed', code: 'validation_failed', message: `The batch cannot run: ${(error as Error).message}` };
    }
    const current = job;
    job = null;
    if (closed) {
      return;
    }
    if (current?.cancelRequested === true) {
      // Already marked cancelled and announced when the cancel came.
    } else if (outcome.kind === 'done') {
      storeResults(rows, outcome.message);
    } else if (outcome.code === 'cancelled') {
      library.generations.markCancelled(batchId);
      emitBatchState(batchId, 'cancelled', null);
    } else {
      library.generations.markFailed(batchId, outcome.message);
      emitBatchState(batchId, 'failed', outcome.message);
    }
    setState(
      worker === null
        ? engineState.state === 'busy'
          ? { state: 'not-loaded', device: null, detail: 'The engine process was stopped; it starts again with the next generation.' }
          : engineState
        : { state: 'idle', device: engineState.device ?? device, detail: readyDetail(model, engineState.device ?? device) },
    );
  };

  const storeResults = (rows: Generation[], message: DoneMessage): void => {
    const { batchId } = rows[0]!;
    let images: FinishedBatch['images'];
    try {
      if (message.images.length !== rows.length) {
        throw new Error(`the engine returned ${message.images.length} images for ${rows.length} variations`);
      }
      images = message.images.map((image) => {
        const bytes = Buffer.from(image.pngBase64, 'base64');
        const { sha256 } = library.assets.put(bytes, { mime: 'image/png', width: image.width, height: image.height });
        return { sha256, width: image.width, height: image.height };
      });
      const resultSha256 = images.map((image) => image.sha256);
      library.generations.markDone(batchId, { resultSha256, timings: { ...message.timings, boundaryBytes: message.boundaryBytes } });
    } catch (error) {
      logError(`Storing the images of batch ${batchId} failed`, error);
      const reason = `The images were generated but could not be stored: ${(error as Error).message}`;
      library.generations.markFailed(batchId, reason);
      emitBatchState(batchId, 'failed', reason);
      return;
    }
    emitBatchState(batchId, 'done', null);
    placeResultsOnBoard({ boardItems: library.boardItems, generations: library.generations, events, logError }, { rows, images });
  };

  // Read at every turn of the queue rather than cached: the library is the one place the state lives.
  const isPaused = (): boolean => library.settings.get(queuePausedSetting, false);

  const pump = async (): Promise<void> => {
    if (pumping || closed) {
      return;
    }
    pumping = true;
    try {
      while (!closed && !isPaused()) {
        const rows = library.generations.nextQueuedBatch();
        if (rows === null || rows.length === 0) {
          break;
        }
        await runBatch(rows);
      }
    } finally {
      pumping = false;
    }
  };

  const kick = (): void => {
    pump().catch((error: unknown) => logError('The generation queue stopped on an unexpected error', error));
  };

  // #endregion

  return {
    start() {
      for (const batchId of library.generations.markInterrupted()) {
        emitBatchState(batchId, 'interrupted', null);
      }
      kick();
    },

    kick,

    isPaused,

    setPaused(paused) {
      library.settings.set(queuePausedSetting, paused);
      if (!paused) {
        kick();
      }
    },

    cancel(batchId) {
      library.generations.batch(batchId); // not_found for an unknown batch
      const current = job;
      const changed = library.generations.markCancelled(batchId);
      if (changed > 0) {
        emitBatchState(batchId, 'cancelled', null);
      }
      if (current !== null && current.batchId === batchId && !current.settled && !current.cancelRequested) {
        current.cancelRequested = true;
        worker?.process.send({ type: 'cancel', jobId: current.jobId });
        current.timers.push(
          setTimeout(() => {
            // The worker is stuck inside one call (a huge graph run): stop the process.
            finish(current, { kind: 'failed', code: 'cancelled', message: 'Cancelled' });
            killWorker();
          }, cancelGraceMs),
        );
      }
      return changed;
    },

    state: () => engineState,

    workerPid: () => worker?.process.pid,

    close() {
      if (closed) {
        return Promise.resolve();
      }
      closed = true;
      if (job !== null) {
        finish(job, { kind: 'failed', code: 'cancelled', message: 'The studio is closing' });
      }
      const current = worker;
      worker = null;
      if (current === null) {
        return Promise.resolve();
      }
      return new Promise<void>((resolve) => {
        const force = setTimeout(() => current.process.kill('SIGKILL'), 2_000);
        force.unref();
        current.process.onExit(() => {
          clearTimeout(force);
          resolve();
        });
        current.process.send({ type: 'shutdown' });
      });
    },
  };
}

function describeExit(exit: WorkerExit): string {
  if (exit.signal !== null) {
    return `signal ${exit.signal}`;
  }
  return exit.code === null ? 'it could not be started' : `exit code ${exit.code}`;
}

function formatDuration(ms: number): string {
  if (ms >= 60_000) {
    const minutes = ms / 60_000;
    return `${Number.isInteger(minutes) ? minutes : minutes.toFixed(1)} minutes`;
  }
  return `${Math.round(ms / 100) / 10} s`;
}

/**
 * What the engine chip says when it is ready. On the CPU, an fp32 or fp16 model is told that a
 * quantized export of the same model decodes faster.
 */
export function readyDetail(model: Pick<Model, 'name' | 'precision'> | null, device: EngineState['device']): string {
  if (model === null) {
    return 'Ready.';
  }
  const loaded = `Ready: ${model.name} is loaded.`;
  if (device === 'cpu' && (model.precision === 'fp32' || model.precision === 'fp16')) {
    return `${loaded} On the CPU, the same model exported with --precision int8 or int4 generates faster (about 1.3× or 2×).`;
  }
  return loaded;
}
