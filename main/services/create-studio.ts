import path from 'node:path';
import { openLibrary, libraryPaths, type Library } from '../library/library';
import { createEngineSupervisor, type EngineSupervisor } from '../engine/supervisor/engine-supervisor';
import { forkWorker, type WorkerLauncher } from '../engine/supervisor/worker-process';
import type { EngineState } from '../../preload/contract';
import { EventBus } from './event-bus';
import { createDialogsService, type FolderPicker } from './dialogs-service';
import { createRouter, type Router, type StudioServices } from './router';
import { createAssetsService } from './assets-service';
import { createBoardsService } from './boards-service';
import { createGenerationsService } from './generations-service';
import { createItemsService } from './items-service';
import { createModelsService } from './models-service';
import { createPresetsService } from './presets-service';
import { createPromptsService } from './prompts-service';
import { createQueueService } from './queue-service';

export type StudioEngineOptions = {
  /** How to start the engine worker; default: `child_process.fork` of `workerEntry`. */
  launchWorker?: WorkerLauncher;
  /** The built worker script; default `engine-worker.cjs` beside this bundle (out/main/). */
  workerEntry?: string;
  /** Extra environment for a forked worker (tests). */
  workerEnv?: NodeJS.ProcessEnv;
  device?: 'cpu' | 'cuda';
  threads?: number;
  jobTimeoutMs?: number;
};

export type StudioOptions = {
  dataFolder: string;
  transport: 'electron' | 'websocket';
  version: string;
  logError?: (message: string, error: unknown) => void;
  engine?: StudioEngineOptions;
  /** The system's folder chooser; only the desktop app has one. */
  pickFolder?: FolderPicker;
};

/** The main-side services behind the contract, shared by the Electron and WebSocket transports. */
export type Studio = {
  readonly router: Router;
  readonly events: EventBus;
  readonly library: Library;
  readonly engine: EngineSupervisor;
  /** Stops the engine worker and closes the library. */
  close(): void;
};

const libraryUnavailableEngine = (message: string | null): EngineState => ({
  state: 'unavailable',
  device: null,
  detail: `The engine needs the library, which is unavailable: ${message ?? 'unknown reason'}`,
});

export function createStudio(options: StudioOptions): Studio {
  const library = openLibrary(options.dataFolder);
  const events = new EventBus();
  const engineOptions = options.engine ?? {};
  const engine = createEngineSupervisor({
    library,
    events,
    launchWorker: engineOptions.launchWorker ?? forkWorker(engineOptions.workerEntry ?? defaultWorkerEntry(), { env: engineOptions.workerEnv ?? {} }),
    hashCachePath: libraryPaths(options.dataFolder).bundleHashes,
    engineVersion: options.version,
    ...(engineOptions.device === undefined ? {} : { device: engineOptions.device }),
    ...(engineOptions.threads === undefined ? {} : { threads: engineOptions.threads }),
    ...(engineOptions.jobTimeoutMs === undefined ? {} : { jobTimeoutMs: engineOptions.jobTimeoutMs }),
    ...(options.logError === undefined ? {} : { logError: options.logError }),
  });
  const libraryOk = library.state.state === 'ok';
  const services: StudioServices = {
    'app:health': () => ({
      name: 'mentor-studio',
      version: options.version,
      transport: options.transport,
      dataFolder: options.dataFolder,
      library: library.state,
      engine: libraryOk ? engine.state() : libraryUnavailableEngine(library.state.message),
    }),
    ...createBoardsService(library, events),
    ...createModelsService(library.models, events),
    ...createAssetsService(library.assets, library.models),
    ...createItemsService(library, events),
    ...createPresetsService(library.presets),
    ...createPromptsService(library.models),
    ...createGenerationsService(library, engine, events, options.version),
    ...createQueueService(library, engine, events),
    ...createDialogsService(options.pickFolder),
  };
  const router = createRouter(services, options.logError ? { logError: options.logError } : {});
  if (libraryOk) {
    engine.start();
  }
  return {
    router,
    events,
    library,
    engine,
    close: () => {
      // The worker ends on its own when its channel closes; close() asks it first and kills it after 2 s.
      void engine.close();
      library.close();
    },
  };
}

/** out/main/engine-worker.cjs: this file is bundled into out/main/serve.cjs and out/main/electron.cjs. */
function defaultWorkerEntry(): string {
  return path.join(__dirname, 'engine-worker.cjs');
}
