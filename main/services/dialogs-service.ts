import { StudioFailure } from './studio-failure';
import type { StudioServices } from './router';

/** Shows the system's folder chooser; resolves the chosen folder, or null when it was cancelled. */
export type FolderPicker = (title: string) => Promise<string | null>;

type DialogsService = Pick<StudioServices, 'dialogs:pickFolder'>;

/**
 * Native dialogs. Only the desktop app has them (main passes a picker built on Electron's `dialog`);
 * behind `npm run serve` the page is a browser tab, which gets a clear refusal and types the path.
 */
export function createDialogsService(pickFolder: FolderPicker | undefined): DialogsService {
  return {
    'dialogs:pickFolder': async ({ title }) => {
      if (pickFolder === undefined) {
        throw new StudioFailure('unsupported', 'Choosing a folder with a dialog needs the desktop app; type the folder’s path instead.');
      }
      return { path: await pickFolder(title) };
    },
  };
}
