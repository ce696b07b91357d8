import path from 'node:path';

export type DataFolderOptions = {
  /** `--home <folder>` from the command line; wins over everything else. */
  home?: string | undefined;
  env: NodeJS.ProcessEnv;
  platform: NodeJS.Platform;
  homedir: string;
  /** Where relative paths are resolved from; `process.cwd()` unless a test says otherwise. */
  cwd?: string;
};

/** Folder names per platform: macOS and Windows users see them in Finder/Explorer, Linux keeps lowercase. */
const appFolderName = { posix: 'mentor-studio', desktop: 'MENTOR Studio' } as const;

/**
 * The folder that holds the library database, assets and backups.
 *
 * Order: `--home`, then `MENTOR_STUDIO_HOME`, then the platform's per-user data folder
 * (Linux and others: `$XDG_DATA_HOME` or `~/.local/share`; macOS: `~/Library/Application Support`;
 * Windows: `%APPDATA%`). Always returns an absolute path.
 *
 * @example resolveDataFolder({ env: process.env, platform: process.platform, homedir: os.homedir() })
 */
export function resolveDataFolder(options: DataFolderOptions): string {
  // Path rules follow the target platform, not the machine running the code, so tests can cover all three.
  const paths = options.platform === 'win32' ? path.win32 : path.posix;
  const cwd = options.cwd ?? process.cwd();
  const absolute = (folder: string): string => paths.resolve(cwd, expandHome(folder, options.homedir, paths));

  const explicit = nonEmpty(options.home) ?? nonEmpty(options.env['MENTOR_STUDIO_HOME']);
  if (explicit !== undefined) {
    return absolute(explicit);
  }
  switch (options.platform) {
    case 'darwin':
      return paths.join(options.homedir, 'Library', 'Application Support', appFolderName.desktop);
    case 'win32': {
      // APPDATA is always set by Windows; the fallback is where it points by default.
      const appData = nonEmpty(options.env['APPDATA']) ?? paths.join(options.homedir, 'AppData', 'Roaming');
      return paths.join(absolute(appData), appFolderName.desktop);
    }
    default: {
      // The XDG spec says a relative XDG_DATA_HOME is invalid and must be ignored, not resolved.
      const xdg = nonEmpty(options.env['XDG_DATA_HOME']);
      const dataHome = xdg !== undefined && paths.isAbsolute(xdg) ? xdg : paths.join(options.homedir, '.local', 'share');
      return paths.join(paths.resolve(dataHome), appFolderName.posix);
    }
  }
}

/** An empty `--home=` or `MENTOR_STUDIO_HOME=` means "not set", never "the current folder". */
function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === '' ? undefined : value;
}

/** `--home=~/studio` reaches us unexpanded (the shell expands `~` only at the start of a word). */
function expandHome(folder: string, homedir: string, paths: path.PlatformPath): string {
  if (folder === '~') {
    return homedir;
  }
  if (folder.startsWith('~/') || (paths === path.win32 && folder.startsWith('~\\'))) {
    return paths.join(homedir, folder.slice(2));
  }
  return folder;
}
