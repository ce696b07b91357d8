import path from 'node:path';
import type { Database } from 'better-sqlite3';
import type { LibraryState } from '../../preload/contract';
import { StudioFailure } from '../services/studio-failure';
import { createAssetStore, type AssetStore } from './asset-store';
import { createBoardItemsRepository, type BoardItemsRepository } from './board-items-repository';
import { createBoardsRepository, type BoardsRepository } from './boards-repository';
import { openDatabase } from './database';
import { createGenerationsRepository, type GenerationsRepository } from './generations-repository';
import { latestVersionOf, migrateDatabase, type Migration } from './migrate';
import { migrations as allMigrations } from './migrations';
import { createModelsRepository, type BundleValidator, type ModelsRepository } from './models-repository';
import { createPresetsRepository, type PresetsRepository } from './presets-repository';
import { createSettingsRepository, type SettingsRepository } from './settings-repository';
import { HashCache } from '../engine/bundle/hash-cache';
import { loadBundle } from '../engine/bundle/load-bundle';

export type Library = {
  readonly dataFolder: string;
  readonly state: LibraryState;
  /** When `state.state` is not `ok`, every method throws `library_unavailable` with `state.message`. */
  readonly boards: BoardsRepository;
  /** Same as `boards`. */
  readonly assets: AssetStore;
  /** Same as `boards`. */
  readonly models: ModelsRepository;
  /** Same as `boards`. */
  readonly generations: GenerationsRepository;
  /** Same as `boards`. */
  readonly boardItems: BoardItemsRepository;
  /** Same as `boards`. */
  readonly presets: PresetsRepository;
  /** Same as `boards`. */
  readonly settings: SettingsRepository;
  close(): void;
};

export type OpenLibraryOptions = {
  /** Tests pass their own list; the app uses every migration this build has. */
  migrations?: readonly Migration[];
  now?: () => number;
  /** How `models.import` checks a bundle; default: loadBundle with every file hashed (cached by size and mtime). */
  validateBundle?: BundleValidator;
};

export const LATEST_SCHEMA_VERSION = latestVersionOf(allMigrations);

/** Where things live inside the data folder. */
export function libraryPaths(dataFolder: string): {
  database: string;
  assets: string;
  backups: string;
  bundleHashes: string;
  thumbnails: string;
} {
  return {
    database: path.join(dataFolder, 'library.sqlite'),
    assets: path.join(dataFolder, 'assets'),
    backups: path.join(dataFolder, 'backups'),
    /** sha256 of bundle files by path, size and mtime (engine/bundle/hash-cache.ts); only a cache. */
    bundleHashes: path.join(dataFolder, 'cache', 'bundle-hashes.json'),
    /** Downscaled library images for the canvas and gallery (thumbnails.ts); only a cache. */
    thumbnails: path.join(dataFolder, 'cache', 'thumbnails'),
  };
}

/**
 * Opens the library in `dataFolder`, creating or migrating it as needed. Never throws: a damaged database,
 * one from a newer studio, or one that cannot be opened gives a `state` other than `ok` with a message,
 * so the app still starts and can show it.
 *
 * @example
 * const library = openLibrary(dataFolder);
 * if (library.state.state !== 'ok') showBanner(library.state.message);
 */
export function openLibrary(dataFolder: string, options: OpenLibraryOptions = {}): Library {
  const migrations = options.migrations ?? allMigrations;
  const latest = latestVersionOf(migrations);
  const paths = libraryPaths(dataFolder);
  const opened = openDatabase(paths.database, { latestSchemaVersion: latest, backupsFolder: paths.backups });
  const stateOf = (state: LibraryState['state'], message: string | null, schemaVersion: number): LibraryState => ({
    state,
    message,
    databasePath: paths.database,
    schemaVersion,
  });

  if (opened.state !== 'ok') {
    return unavailableLibrary(dataFolder, stateOf(opened.state, opened.message, opened.schemaVersion));
  }
  const db = opened.db;
  try {
    migrateDatabase(db, migrations, { backupsFolder: paths.backups, ...(options.now ? { now: options.now } : {}) });
  } catch (error) {
    db.close();
    const message =
      `The library database ${paths.database} could not be upgraded from schema ${opened.schemaVersion} to ` +
      `${latest}: ${error instanceof Error ? error.message : String(error)}. It was left at schema ` +
      `${opened.schemaVersion}` +
      (opened.schemaVersion >= 1 ? `; a copy taken before the upgrade is in ${paths.backups}.` : '.');
    return unavailableLibrary(dataFolder, stateOf('unavailable', message, opened.schemaVersion));
  }
  const now = options.now ? { now: options.now } : {};
  return {
    dataFolder,
    state: stateOf('ok', null, latest),
    boards: createBoardsRepository(db, now),
    assets: createAssetStore(db, paths.assets, now),
    models: createModelsRepository(db, {
      ...now,
      validate:
        options.validateBundle ??
        ((dir, onProgress) => loadBundle(dir, { hashCache: new HashCache(paths.bundleHashes), ...(onProgress ? { onProgress } : {}) })),
    }),
    generations: createGenerationsRepository(db, now),
    boardItems: createBoardItemsRepository(db, now),
    presets: createPresetsRepository(db, now),
    settings: createSettingsRepository(db, now),
    close: () => closeOnce(db),
  };
}

function closeOnce(db: Database): void {
  if (db.open) {
    db.close();
  }
}

/** The library the app gets when it cannot use the database: readable state, refusing methods. */
function unavailableLibrary(dataFolder: string, state: LibraryState): Library {
  const refuse = (): never => {
    throw new StudioFailure('library_unavailable', state.message ?? 'The library is unavailable');
  };
  return {
    dataFolder,
    state,
    boards: { list: refuse, get: refuse, create: refuse, rename: refuse, remove: refuse },
    assets: { put: refuse, has: refuse, pathOf: refuse, read: refuse },
    models: { list: refuse, get: refuse, import: refuse, remove: refuse },
    generations: {
      enqueue: refuse,
      get: refuse,
      list: refuse,
      batch: refuse,
      nextQueuedBatch: refuse,
      markRunning: refuse,
      markDone: refuse,
      markFailed: refuse,
      markCancelled: refuse,
      markInterrupted: refuse,
      requeue: refuse,
      batchOrigin: refuse,
      search: refuse,
      rate: refuse,
      trash: refuse,
      restore: refuse,
      move: refuse,
      queue: refuse,
    },
    boardItems: { list: refuse, add: refuse, update: refuse, softDelete: refuse, restore: refuse, placeResults: refuse },
    presets: { list: refuse, save: refuse, remove: refuse },
    settings: { get: refuse, set: refuse },
    close: () => undefined,
  };
}
