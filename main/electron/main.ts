/**
 * Electron main entry, bundled by scripts/build.mjs to `out/main/electron.cjs` (CommonJS, with
 * `electron` and `better-sqlite3` external). Start it on the repository root (`electron .`), not on
 * the file: only then does Electron read package.json for the app's name and version.
 *
 * Order matters: the privileged scheme, the sandbox switch and the data folder must be set before
 * `ready`; the protocol handler, IPC handlers and window come after it.
 */
import path from 'node:path';
import { app, BrowserWindow, dialog, ipcMain, protocol, session, type OpenDialogOptions } from 'electron';
import { createStudio, type Studio } from '../services/create-studio';
import { forwardEvents, registerIpcHandlers } from './ipc';
import { handleStudioProtocol, registerStudioScheme } from './protocol';
import { isTrustedSender, type TrustedOrigins } from './sender-check';
import { studioOrigin, studioStartUrl } from './studio-origin';
import { utilityWorker } from './utility-worker';
import { createMainWindow, denyAllPermissions, focusWindow, guardWebContents } from './window';

// The bundle sits in out/main; its siblings are out/preload and out/renderer.
const outDir = path.join(__dirname, '..');
const preloadPath = path.join(outDir, 'preload', 'preload.cjs');
const rendererRoot = path.join(outDir, 'renderer');

// Environment overrides exist for development and tests only. A packaged build ignores them, so
// that nothing in the user's environment can point the installed app at another data folder or
// make it load and trust another page (Signal's app/config.main.ts hardens its config the same way).
const devRendererUrl = app.isPackaged ? undefined : parseDevUrl(process.env.ELECTRON_RENDERER_URL);
const homeOverride = app.isPackaged ? undefined : process.env.MENTOR_STUDIO_HOME || undefined;

const trusted: TrustedOrigins =
  devRendererUrl === undefined ? { origin: studioOrigin } : { origin: studioOrigin, devOrigin: devRendererUrl.origin };

let studio: Studio | undefined;
let mainWindow: BrowserWindow | undefined;
let unregisterIpc: (() => void) | undefined;

app.enableSandbox();
registerStudioScheme(protocol);
if (homeOverride !== undefined) {
  // Chromium's profile (cache, local storage) goes there too, so a test run leaves nothing behind.
  app.setPath('userData', path.resolve(homeOverride));
}

// One studio per data folder: a second launch focuses the first window and exits.
if (app.requestSingleInstanceLock()) {
  run();
} else {
  app.quit();
}

function run(): void {
  app.on('second-instance', () => {
    if (mainWindow !== undefined && !mainWindow.isDestroyed()) {
      focusWindow(mainWindow);
    }
  });
  app.on('web-contents-created', (_event, contents) => guardWebContents(contents, trusted));
  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') {
      app.quit();
    }
  });
  app.on('activate', () => {
    if (studio !== undefined && BrowserWindow.getAllWindows().length === 0) {
      openWindow(studio);
    }
  });
  app.on('will-quit', shutDown);
  // Ctrl-C in the terminal of `npm start`: close the library properly instead of dying mid-write.
  process.on('SIGINT', () => app.quit());
  process.on('SIGTERM', () => app.quit());

  app.whenReady().then(start).catch(failToStart);
}

function start(): void {
  denyAllPermissions(session.defaultSession);
  // Library images are served once the studio below has opened the library.
  handleStudioProtocol(protocol, rendererRoot, () => studio?.library);
  const started = createStudio({
    dataFolder: app.getPath('userData'),
    transport: 'electron',
    version: app.getVersion(),
    engine: { launchWorker: utilityWorker(path.join(__dirname, 'engine-worker.cjs')) },
    pickFolder,
  });
  studio = started;
  unregisterIpc = registerIpcHandlers(ipcMain, started.router, (event) => isTrustedSender(event, trusted));
  openWindow(started);
}

/** The system's folder chooser, modal to the studio's window when it has one. */
async function pickFolder(title: string): Promise<string | null> {
  const options: OpenDialogOptions = { title, properties: ['openDirectory'] };
  const parent = mainWindow !== undefined && !mainWindow.isDestroyed() ? mainWindow : undefined;
  const chosen = parent !== undefined ? await dialog.showOpenDialog(parent, options) : await dialog.showOpenDialog(options);
  return chosen.canceled ? null : (chosen.filePaths[0] ?? null);
}

function openWindow(current: Studio): void {
  const window = createMainWindow({ preloadPath, startUrl: devRendererUrl?.href ?? studioStartUrl });
  // Unsubscribes itself when the window's contents are destroyed.
  forwardEvents(current.events, window.webContents, (frame) => isTrustedSender({ senderFrame: frame }, trusted));
  mainWindow = window;
  window.on('closed', () => {
    if (mainWindow === window) {
      mainWindow = undefined;
    }
  });
}

function shutDown(): void {
  unregisterIpc?.();
  unregisterIpc = undefined;
  const closing = studio;
  studio = undefined;
  try {
    closing?.close();
  } catch (error) {
    console.error('The studio did not close cleanly', error);
  }
}

function failToStart(error: unknown): void {
  console.error('MENTOR Studio could not start', error);
  dialog.showErrorBox('MENTOR Studio could not start', error instanceof Error ? error.message : String(error));
  shutDown();
  app.exit(1);
}

function parseDevUrl(value: string | undefined): URL | undefined {
  if (value === undefined || value === '') {
    return undefined;
  }
  try {
    return new URL(value);
  } catch {
    console.warn(`Ignoring ELECTRON_RENDERER_URL: not a URL (${value})`);
    return undefined;
  }
}
