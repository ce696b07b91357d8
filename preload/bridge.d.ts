/**
 * `window.studio`, as exposed by the preload. Optional: it exists in the Electron window only; in
 * the browser (`npm run serve`) the renderer talks to main over a WebSocket instead.
 */
import type { StudioBridge } from './contract';

declare global {
  interface Window {
    studio?: StudioBridge;
  }
}

export {};
