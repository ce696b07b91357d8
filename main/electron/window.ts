/**
 * The studio window and the guards every web contents gets: no navigation away from the studio's
 * origin (checklist #13), no new windows (checklist #14, allowed https links go to the system
 * browser), no permissions (checklist #5), no <webview>.
 */
import { BrowserWindow, shell, type Session, type WebContents } from 'electron';
import { openExternalIfAllowed } from './external-links';
import { isTrustedPageUrl, type TrustedOrigins } from './sender-check';

export type MainWindowOptions = {
  /** Absolute path of the bundled preload (`out/preload/preload.cjs`). */
  preloadPath: string;
  /** `mentor-studio://app/index.html`, or the dev server URL when not packaged. */
  startUrl: string;
};

export function createMainWindow(options: MainWindowOptions): BrowserWindow {
  const window = new BrowserWindow({
    width: 1440,
    height: 900,
    minWidth: 960,
    minHeight: 600,
    title: 'MENTOR Studio',
    show: false,
    webPreferences: {
      preload: options.preloadPath,
      // The defaults since Electron 12/20/5, spelled out so that a review sees them.
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      // webSecurity, allowRunningInsecureContent, experimentalFeatures: left at their secure defaults.
    },
  });
  window.once('ready-to-show', () => window.show());
  // A page that fails to load never becomes "ready to show"; show the window anyway so the
  // user sees something instead of a process without a window.
  window.webContents.once('did-fail-load', (_event, code, description, url) => {
    console.error(`Could not load ${url}: ${description} (${code})`);
    window.show();
  });
  void window.loadURL(options.startUrl);
  return window;
}

/** Brings the window to the front, e.g. when the studio is launched a second time. */
export function focusWindow(window: BrowserWindow): void {
  if (window.isMinimized()) {
    window.restore();
  }
  window.show();
  window.focus();
}

/** Applied by main to every web contents as it is created (`app.on('web-contents-created')`). */
export function guardWebContents(contents: WebContents, trusted: TrustedOrigins): void {
  contents.on('will-navigate', (event) => {
    if (!isTrustedPageUrl(event.url, trusted)) {
      event.preventDefault();
      // A plain link to an allowed site (a model card, the docs) still opens, in the browser.
      openExternalIfAllowed(event.url, (url) => shell.openExternal(url));
    }
  });
  contents.setWindowOpenHandler(({ url }) => {
    openExternalIfAllowed(url, (target) => shell.openExternal(target));
    return { action: 'deny' };
  });
  contents.on('will-attach-webview', (event) => event.preventDefault());
}

/** Denies every permission request and check (camera, notifications, clipboard read, ...). */
export function denyAllPermissions(session: Session): void {
  session.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));
  session.setPermissionCheckHandler(() => false);
}
