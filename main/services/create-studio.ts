import { openLibrary, type Library } from '../library/library';
import type { EngineState } from '../../preload/contract';
import { EventBus } from './event-bus';
import { createRouter, type Router, type StudioServices } from './router';
import { createBoardsService } from './boards-service';

export type StudioOptions = {
  dataFolder: string;
  transport: 'electron' | 'websocket';
  version: string;
  logError?: (message: string, error: unknown) => void;
};

/** The main-side services behind the contract, shared by the Electron and WebSocket transports. */
export type Studio = {
  readonly router: Router;
  readonly events: EventBus;
  readonly library: Library;
  close(): void;
};

const engineNotLoaded: EngineState = {
  state: 'not-loaded',
  device: null,
  detail: 'No model loaded yet: install a model bundle to generate.',
};

export function createStudio(options: StudioOptions): Studio {
  const library = openLibrary(options.dataFolder);
  const events = new EventBus();
  const services: StudioServices = {
    'app:health': () => ({
      name: 'mentor-studio',
      version: options.version,
      transport: options.transport,
      dataFolder: options.dataFolder,
      library: library.state,
      engine: engineNotLoaded,
    }),
    ...createBoardsService(library, events),
  };
  const router = createRouter(services, options.logError ? { logError: options.logError } : {});
  return {
    router,
    events,
    library,
    close: () => library.close(),
  };
}
