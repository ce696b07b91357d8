/**
 * Opens a bundle folder for reading: manifest.json validated against BUNDLE.md, every listed file present
 * with its listed size and sha256. Nothing here runs a graph (runtime/open-runtime.ts does).
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { EngineError } from '../errors';
import type { GraphKey } from '../types';
import { graphKeys } from '../types';
import type { HashCache } from './hash-cache';
import { sha256File } from './hash-cache';
import type { BundleManifest } from './manifest-schema';
import { manifestFileName, parseManifest } from './manifest-schema';

export type LoadedBundle = {
  /** Absolute path of the bundle folder. */
  dir: string;
  manifest: BundleManifest;
  /** sha256 of manifest.json's bytes: it lists every file's hash, so it names the whole bundle. */
  bundleSha256: string;
  /** Sum of the listed files' sizes (manifest.json not included). */
  sizeBytes: number;
  /** Absolute path of a graph file. */
  graphPath(key: GraphKey): string;
  /** Absolute path of tokenizer.json. */
  tokenizerPath: string;
};

export type LoadBundleOptions = {
  /** Remembers hashes across starts (see HashCache); without it every file is hashed. */
  hashCache?: HashCache;
  /** false: check presence and sizes only, skip the sha256 of each file. Default true. */
  verify?: boolean;
  /**
   * Hears how far the check is, over the sum of the listed files' sizes: when each file starts, after
   * each chunk hashed, and once at the end with `doneBytes === totalBytes`. A file answered from the
   * hash cache (or skipped, without `verify`) counts as done at once.
   */
  onProgress?: (progress: BundleCheckProgress) => void;
};

export type BundleCheckProgress = { file: string; doneBytes: number; totalBytes: number };

function invalid(message: string): EngineError {
  return new EngineError('bundle_invalid', message);
}

function errnoCode(error: unknown): string | undefined {
  return typeof error === 'object' && error !== null && 'code' in error ? String(error.code) : undefined;
}

async function readManifestBytes(dir: string, manifestPath: string): Promise<Buffer> {
  try {
    return await fs.promises.readFile(manifestPath);
  } catch (error) {
    const code = errnoCode(error);
    if (code === 'ENOENT' || code === 'ENOTDIR') {
      const folderExists = fs.existsSync(dir) && fs.statSync(dir).isDirectory();
      throw invalid(
        folderExists
          ? `${dir}: no ${manifestFileName} (not a model bundle, or an export that did not finish)`
          : `${dir}: no such folder`,
      );
    }
    throw invalid(`${manifestPath}: cannot be read (${error instanceof Error ? error.message : String(error)})`);
  }
}

function parseJson(bytes: Buffer, manifestPath: string): unknown {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw invalid(`${manifestPath}: not UTF-8 text`);
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw invalid(`${manifestPath}: not valid JSON (${error instanceof Error ? error.message : String(error)})`);
  }
}

/** The graphs and the tokenizer must be among `files`, or their hashes would go unchecked. */
function checkReferencedFiles(manifest: BundleManifest, manifestPath: string): void {
  const listed = new Set(manifest.files.map((file) => file.path));
  const problems: string[] = [];
  for (const key of graphKeys) {
    const file = manifest.graphs[key];
    if (!listed.has(file)) {
      problems.push(`graphs.${key}: ${file} is not listed in files`);
    }
  }
  if (!listed.has(manifest.tokenizer)) {
    problems.push(`tokenizer: ${manifest.tokenizer} is not listed in files`);
  }
  if (problems.length > 0) {
    throw invalid(`${manifestPath}: ${problems.join('; ')}`);
  }
}

/**
 * Reads and checks the bundle in `dir`. Throws EngineError('bundle_invalid') with every problem found,
 * each naming its file: "<dir>: decode.onnx: missing; prefill.onnx: sha256 does not match the manifest
 * (file changed or damaged)". Saves new hashes to `hashCache` when one is given.
 */
export async function loadBundle(dir: string, options: LoadBundleOptions = {}): Promise<LoadedBundle> {
  const { hashCache, verify = true, onProgress } = options;
  const root = path.resolve(dir);
  const manifestPath = path.join(root, manifestFileName);
  const manifestBytes = await readManifestBytes(root, manifestPath);
  const manifest = parseManifest(parseJson(manifestBytes, manifestPath), manifestPath);
  checkReferencedFiles(manifest, manifestPath);

  const problems: string[] = [];
  const totalBytes = manifest.files.reduce((sum, file) => sum + file.bytes, 0);
  let doneBytes = 0;
  // One file at a time: the disk, not the CPU, is the limit, and parallel reads of gigabyte files thrash.
  for (const entry of manifest.files) {
    const file = path.join(root, entry.path);
    const startBytes = doneBytes;
    // Listed sizes, not read ones: a damaged file must not push the total past 100 %.
    doneBytes += entry.bytes;
    onProgress?.({ file: entry.path, doneBytes: startBytes, totalBytes });
    let stat: fs.Stats;
    try {
      stat = await fs.promises.stat(file);
    } catch (error) {
      const code = errnoCode(error);
      problems.push(code === 'ENOENT' || code === 'ENOTDIR' ? `${entry.path}: missing` : `${entry.path}: cannot be read (${code ?? String(error)})`);
      continue;
    }
    if (!stat.isFile()) {
      problems.push(`${entry.path}: not a file`);
      continue;
    }
    if (stat.size !== entry.bytes) {
      problems.push(`${entry.path}: ${stat.size} bytes, the manifest says ${entry.bytes} (file changed or damaged)`);
      continue;
    }
    if (!verify) {
      continue;
    }
    let sha256: string;
    let read = 0;
    const onBytes = onProgress && ((bytes: number) => {
      read += bytes;
      onProgress({ file: entry.path, doneBytes: startBytes + Math.min(read, entry.bytes), totalBytes });
    });
    try {
      sha256 = hashCache !== undefined ? await hashCache.sha256(file, stat, onBytes) : await sha256File(file, onBytes);
    } catch (error) {
      problems.push(`${entry.path}: cannot be read (${errnoCode(error) ?? String(error)})`);
      continue;
    }
    if (sha256 !== entry.sha256) {
      problems.push(`${entry.path}: sha256 does not match the manifest (file changed or damaged)`);
    }
  }
  onProgress?.({ file: manifest.files.at(-1)?.path ?? manifestFileName, doneBytes: totalBytes, totalBytes });
  if (hashCache !== undefined) {
    try {
      hashCache.save();
    } catch {
      // Only a cache: the next start hashes again.
    }
  }
  if (problems.length > 0) {
    throw invalid(`${root}: ${problems.join('; ')}`);
  }

  return {
    dir: root,
    manifest,
    bundleSha256: createHash('sha256').update(manifestBytes).digest('hex'),
    sizeBytes: totalBytes,
    graphPath: (key) => path.join(root, manifest.graphs[key]),
    tokenizerPath: path.join(root, manifest.tokenizer),
  };
}
