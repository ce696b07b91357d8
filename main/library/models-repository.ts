import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Database } from 'better-sqlite3';
import { Model, type SamplingParams } from '../../preload/contract';
import type { BundleManifest } from '../engine/bundle/manifest-schema';
import { isEngineError } from '../engine/errors';
import { StudioFailure } from '../services/studio-failure';
import { lazyStatements } from './lazy-statements';

/** What the repository needs from a validated bundle (helper A's `LoadedBundle` has these and more). */
export type ValidatedBundle = {
  dir: string;
  manifest: BundleManifest;
  bundleSha256: string;
  sizeBytes: number;
};

/** How far an import's check of the bundle is (bytes hashed over the whole bundle). */
export type ImportProgress = { file: string; doneBytes: number; totalBytes: number };

/**
 * Reads and fully checks a bundle folder (manifest, every file's hash, graph inputs); throws EngineError.
 * Reports its progress to `onProgress` when given one.
 */
export type BundleValidator = (dir: string, onProgress?: (progress: ImportProgress) => void) => Promise<ValidatedBundle>;

export type ModelsRepository = {
  /** Installed models, oldest first. */
  list(): Model[];
  /** Throws `not_found`. */
  get(id: string): Model;
  /**
   * Validates the bundle in `dir` and adds it. The same bundle (same manifest hash) imported again
   * returns the row it already has; if that row's folder is gone, it now points at `dir`.
   * Bundle problems throw `bundle_invalid` with the validator's message.
   */
  import(dir: string, onProgress?: (progress: ImportProgress) => void): Promise<Model>;
  /**
   * Removes the model from the library (its bundle folder is left alone). Past generations keep their
   * rows (their model becomes unknown). Throws `not_found`, or `conflict` while generations of this
   * model are queued or running.
   */
  remove(id: string): void;
};

export type ModelsRepositoryOptions = {
  validate: BundleValidator;
  now?: () => number;
};

type ModelRow = {
  id: string;
  name: string;
  path: string;
  format_version: number;
  precision: string;
  size_bytes: number;
  bundle_sha256: string;
  source_json: string;
  config_json: string;
  installed_at: number;
};

/** What `config_json` holds: the manifest's config summary and sampling defaults, for display and enqueue. */
type StoredConfig = {
  imageSize: number;
  grid: number;
  prefixLength: number;
  tokensPerImage: number;
  codebookSize: number;
  encoderWidth: number;
  ropeVariant: string;
  kvDtype: string;
  graphPrecision: Record<string, string>;
  sampling: SamplingParams;
};

const columns = 'id, name, path, format_version, precision, size_bytes, bundle_sha256, source_json, config_json, installed_at';

/**
 * Model bundles installed in the library. A row points at the bundle's folder (bundles are gigabytes;
 * they are not copied), and keeps what the UI and the queue need without opening it again.
 */
export function createModelsRepository(db: Database, options: ModelsRepositoryOptions): ModelsRepository {
  const now = options.now ?? Date.now;
  const sql = lazyStatements(db);
  const byId = (id: string): ModelRow | undefined => sql<[string], ModelRow>(`SELECT ${columns} FROM models WHERE id = ?`).get(id);

  return {
    list: () => sql<[], ModelRow>(`SELECT ${columns} FROM models ORDER BY installed_at, rowid`).all().map(toModel),

    get(id) {
      const row = byId(id);
      if (row === undefined) {
        throw new StudioFailure('not_found', `No model with id ${id}`);
      }
      return toModel(row);
    },

    async import(dir, onProgress) {
      const folder = path.resolve(dir);
      let bundle: ValidatedBundle;
      try {
        bundle = await options.validate(folder, onProgress);
      } catch (error) {
        if (isEngineError(error) && error.code === 'bundle_invalid') {
          throw new StudioFailure('bundle_invalid', error.message);
        }
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
          throw new StudioFailure('bundle_invalid', `${folder}: no such folder or file (${(error as Error).message})`);
        }
        throw error;
      }
      const existing = sql<[string], ModelRow>(`SELECT ${columns} FROM models WHERE bundle_sha256 = ? ORDER BY installed_at LIMIT 1`).get(
        bundle.bundleSha256,
      );
      if (existing !== undefined) {
        if (existing.path !== folder && !fs.existsSync(path.join(existing.path, 'manifest.json'))) {
          sql('UPDATE models SET path = ? WHERE id = ?').run(folder, existing.id);
          return toModel({ ...existing, path: folder });
        }
        return toModel(existing);
      }
      const { manifest } = bundle;
      const config: StoredConfig = {
        imageSize: manifest.config.imageSize,
        grid: manifest.config.grid,
        prefixLength: manifest.config.prefixLength,
        tokensPerImage: manifest.config.tokensPerImage,
        codebookSize: manifest.config.codebookSize,
        encoderWidth: manifest.config.encoderWidth,
        ropeVariant: manifest.config.ropeVariant,
        kvDtype: manifest.kvDtype,
        graphPrecision: manifest.graphPrecision,
        sampling: manifest.sampling,
      };
      const id = randomUUID();
      sql(
        `INSERT INTO models (id, name, path, format_version, precision, size_bytes, bundle_sha256, source_json, config_json, installed_at)
         VALUES (@id, @name, @path, @formatVersion, @precision, @sizeBytes, @bundleSha256, @source, @config, @installedAt)`,
      ).run({
        id,
        name: manifest.name,
        path: folder,
        formatVersion: manifest.formatVersion,
        precision: manifest.precision,
        sizeBytes: bundle.sizeBytes,
        bundleSha256: bundle.bundleSha256,
        source: JSON.stringify({ sources: manifest.sources, exporter: manifest.exporter, createdAt: manifest.createdAt }),
        config: JSON.stringify(config),
        installedAt: now(),
      });
      return toModel(byId(id)!);
    },

    remove(id) {
      db.transaction(() => {
        if (byId(id) === undefined) {
          throw new StudioFailure('not_found', `No model with id ${id}`);
        }
        const pending = sql<[string], { n: number }>(
          `SELECT count(*) AS n FROM generations WHERE model_id = ? AND status IN ('queued', 'running')`,
        ).get(id)?.n ?? 0;
        if (pending > 0) {
          throw new StudioFailure(
            'conflict',
            `The model has ${pending} generation${pending === 1 ? '' : 's'} queued or running; cancel ${pending === 1 ? 'it' : 'them'} before removing the model`,
          );
        }
        sql('DELETE FROM models WHERE id = ?').run(id);
      })();
    },
  };
}

function toModel(row: ModelRow): Model {
  const config = JSON.parse(row.config_json) as StoredConfig;
  return Model.parse({
    id: row.id,
    name: row.name,
    path: row.path,
    formatVersion: row.format_version,
    precision: row.precision,
    sizeBytes: row.size_bytes,
    bundleSha256: row.bundle_sha256,
    imageSize: config.imageSize,
    prefixLength: config.prefixLength,
    tokensPerImage: config.tokensPerImage,
    sampling: config.sampling,
    source: describeSource(row.source_json),
    installedAt: row.installed_at,
  });
}

/** What `source_json` holds: the manifest's `sources` (BUNDLE.md) and who exported it, when. */
type StoredSource = { sources?: unknown; exporter?: unknown; createdAt?: unknown };
type SourceEntry = { role?: unknown; file?: unknown; seed?: unknown };

/**
 * Where the weights came from, in a few words for the model list: the first source that is not the VQ
 * (the GPT and encoders are what tell bundles apart). The manifest names roles, not presets, so a
 * random-init bundle is told by its seed.
 *
 * @example
 * describeSource('{"sources":[{"role":"trainer","file":"step-0001200.pt"}]}'); // "trainer checkpoint step 1200"
 */
export function describeSource(sourceJson: string): string {
  let stored: StoredSource;
  try {
    stored = JSON.parse(sourceJson) as StoredSource;
  } catch {
    return 'unknown source';
  }
  const sources = Array.isArray(stored?.sources) ? (stored.sources as SourceEntry[]) : [];
  const main = sources.find((source) => source?.role !== 'vq') ?? sources[0];
  if (main === undefined || typeof main.role !== 'string') {
    return 'unknown source';
  }
  const file = typeof main.file === 'string' ? main.file : null;
  switch (main.role) {
    case 'random-init':
      return typeof main.seed === 'number' ? `random init (seed ${main.seed})` : 'random init';
    case 'mentor':
      return file === null ? 'official MENTOR checkpoint' : `official MENTOR checkpoint (${file})`;
    case 'llamagen-t2i':
      return file === null ? 'LlamaGen text-to-image checkpoint' : `LlamaGen text-to-image checkpoint (${file})`;
    case 'trainer': {
      // The trainer names checkpoints step-0001200.pt (mentor_models/train/checkpointing.py).
      const step = file === null ? null : /^step-0*(\d+)\.pt$/.exec(file);
      if (step !== null) {
        return `trainer checkpoint step ${step[1]}`;
      }
      return file === null ? 'trainer checkpoint' : `trainer checkpoint (${file})`;
    }
    default:
      return file === null ? main.role : `${main.role} (${file})`;
  }
}
