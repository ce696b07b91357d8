/**
 * The preload: exposes `window.studio` (see `create-bridge.ts`) and nothing else. Bundled by
 * scripts/build.mjs into one self-contained CommonJS file, `out/preload/preload.cjs`, with only
 * `electron` external: a sandboxed preload cannot `require` anything from node_modules.
 */
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import { ipcEventChannel } from './contract';
import { createBridge } from './create-bridge';

const bridge = createBridge(
  (channel, input) => ipcRenderer.invoke(channel, input),
  (dispatch) => {
    const listener = (_event: IpcRendererEvent, name: unknown, payload: unknown): void => dispatch(name, payload);
    ipcRenderer.on(ipcEventChannel, listener);
    return () => {
      ipcRenderer.removeListener(ipcEventChannel, listener);
    };
  },
);

contextBridge.exposeInMainWorld('studio', bridge);
