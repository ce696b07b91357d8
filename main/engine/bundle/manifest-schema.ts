/**
 * manifest.json of a model bundle, as native-models/BUNDLE.md (format version 2) defines it. A change to
 * any field here goes with a new formatVersion there; this build reads exactly `supportedFormatVersion`.
 */
import path from 'node:path';
import { z } from 'zod';
import { SamplingParams } from '../../../preload/contract';
import { EngineError } from '../errors';

export const bundleFormat = 'mentor-bundle';
export const supportedFormatVersion = 2;
export const manifestFileName = 'manifest.json';

/**
 * Why `value` cannot name a file of the bundle, or null. Paths come from a file someone else wrote, so
 * one that leaves the folder ("../", absolute, a drive letter) must never reach the file system.
 */
export function bundlePathProblem(value: string): string | null {
  if (value.includes('\0')) {
    return 'contains a NUL character';
  }
  if (path.posix.isAbsolute(value) || path.win32.isAbsolute(value) || /^[A-Za-z]:/.test(value)) {
    return `${JSON.stringify(value)} is absolute; files are named relative to the bundle folder`;
  }
  const parts = value.split(/[\\/]/);
  if (parts.includes('..')) {
    return `${JSON.stringify(value)} leaves the bundle folder ("..")`;
  }
  if (parts.some((part) => part === '' || part === '.')) {
    return `${JSON.stringify(value)} is not a plain relative path (empty or "." segment)`;
  }
  return null;
}

const BundlePath = z
  .string()
  .min(1)
  .superRefine((value, ctx) => {
    const problem = bundlePathProblem(value);
    if (problem !== null) {
      ctx.addIssue({ code: 'custom', message: problem });
    }
  });

const Sha256Hex = z.string().regex(/^[0-9a-f]{64}$/, 'expected a sha256 as 64 lowercase hex digits');
const PositiveInt = z.number().int().positive();
const TokenId = z.number().int().nonnegative();
/** fp16: weights and math (GPUs); int8 / int4: the GPT's matmul weights quantized, the rest fp32 (CPUs). */
const Precision = z.enum(['fp32', 'fp16', 'int8', 'int4']);
/** The full architecture configs: shown and checked loosely, their keys are the Python side's. */
const ArchitectureConfig = z.looseObject({});
/** The GPT's: the engine reads the sizes that name and shape the per-layer KV caches. */
const GptConfig = z.looseObject({ n_layer: PositiveInt, kv_heads: PositiveInt, head_dim: PositiveInt });

const PreprocessSchema = z.object({
  size: PositiveInt,
  squashToSquare: z.boolean(),
  // The image loader implements exactly these; another value is another format version.
  resize: z.literal('bicubic'),
  crop: z.literal('center'),
  rescale: z.number().positive(),
  mean: z.tuple([z.number(), z.number(), z.number()]),
  std: z.tuple([z.number().positive(), z.number().positive(), z.number().positive()]),
  layout: z.literal('NCHW'),
});

const ConfigSchema = z
  .object({
    imageSize: PositiveInt,
    grid: PositiveInt,
    codebookSize: PositiveInt,
    prefixLength: PositiveInt,
    encoderWidth: PositiveInt,
    tokensPerImage: PositiveInt,
    imageTokenId: TokenId,
    padTokenId: TokenId,
    eosTokenId: TokenId,
    ropeVariant: z.enum(['mentor', 'llamagen']),
    kvCacheLength: PositiveInt,
    gpt: GptConfig,
    encoder: ArchitectureConfig,
    vq: ArchitectureConfig,
    preprocess: PreprocessSchema,
  })
  .superRefine((config, ctx) => {
    const expected = config.prefixLength + config.grid * config.grid;
    if (config.kvCacheLength !== expected) {
      ctx.addIssue({
        code: 'custom',
        path: ['kvCacheLength'],
        message: `${config.kvCacheLength} is not prefixLength + grid² = ${config.prefixLength} + ${config.grid}² = ${expected}`,
      });
    }
  });

const GraphFiles = z.object({
  vision: BundlePath,
  textEncoder: BundlePath,
  prefill: BundlePath,
  decode: BundlePath,
  vqDecode: BundlePath,
});

const GraphPrecision = z.object({
  vision: Precision,
  textEncoder: Precision,
  prefill: Precision,
  decode: Precision,
  vqDecode: Precision,
});

const FileEntry = z.object({ path: BundlePath, sha256: Sha256Hex, bytes: z.number().int().nonnegative() });

export const BundleManifestSchema = z.object({
  format: z.literal(bundleFormat),
  formatVersion: z.literal(supportedFormatVersion),
  name: z.string().min(1),
  createdAt: z.string(),
  exporter: z.looseObject({ name: z.string(), version: z.string() }),
  precision: Precision,
  graphPrecision: GraphPrecision,
  kvDtype: z.enum(['float32', 'float16']),
  config: ConfigSchema,
  sampling: SamplingParams,
  graphs: GraphFiles,
  tokenizer: BundlePath,
  files: z
    .array(FileEntry)
    .min(1)
    .superRefine((files, ctx) => {
      const seen = new Set<string>();
      files.forEach((file, index) => {
        if (file.path === manifestFileName) {
          ctx.addIssue({ code: 'custom', path: [index, 'path'], message: `${manifestFileName} cannot list itself` });
        }
        if (seen.has(file.path)) {
          ctx.addIssue({ code: 'custom', path: [index, 'path'], message: `${file.path} is listed twice` });
        }
        seen.add(file.path);
      });
    }),
  sources: z.array(z.looseObject({ role: z.string() })),
  notes: z.array(z.string()).optional(),
});

export type BundleManifest = z.infer<typeof BundleManifestSchema>;
export type BundleConfig = BundleManifest['config'];
export type BundleFileEntry = BundleManifest['files'][number];

function formatPath(issuePath: readonly PropertyKey[]): string {
  let out = '';
  for (const part of issuePath) {
    out += typeof part === 'number' ? `[${part}]` : `${out === '' ? '' : '.'}${String(part)}`;
  }
  return out === '' ? '(top level)' : out;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Why a manifest's formatVersion cannot be read, and what to do about it. */
function formatVersionProblem(version: unknown): string {
  if (typeof version === 'number' && Number.isInteger(version) && version > 0 && version < supportedFormatVersion) {
    return (
      `formatVersion ${version} is an older bundle format (this build reads ${supportedFormatVersion}); ` +
      're-export the bundle with this version: python -m mentor_models.export … --out NEW_FOLDER'
    );
  }
  if (typeof version === 'number' && Number.isInteger(version) && version > supportedFormatVersion) {
    return `formatVersion ${version} is newer than this build reads (${supportedFormatVersion}); update MENTOR Studio`;
  }
  return `formatVersion ${JSON.stringify(version) ?? '(missing)'} is not supported by this build (reads ${supportedFormatVersion})`;
}

/**
 * Validates a parsed manifest.json. `where` names the file in messages. The format and version are
 * checked first so that a newer bundle is refused for its version, not for the fields it changed.
 * Throws EngineError('bundle_invalid', '<where>: <field>: <problem>; …').
 */
export function parseManifest(value: unknown, where: string): BundleManifest {
  if (!isRecord(value)) {
    throw new EngineError('bundle_invalid', `${where}: expected a JSON object`);
  }
  if (value.format !== bundleFormat) {
    throw new EngineError(
      'bundle_invalid',
      `${where}: format: expected ${JSON.stringify(bundleFormat)}, got ${JSON.stringify(value.format) ?? 'nothing'} (not a MENTOR bundle)`,
    );
  }
  if (value.formatVersion !== supportedFormatVersion) {
    throw new EngineError('bundle_invalid', `${where}: ${formatVersionProblem(value.formatVersion)}`);
  }
  const result = BundleManifestSchema.safeParse(value);
  if (!result.success) {
    const problems = result.error.issues.map((issue) => `${formatPath(issue.path)}: ${issue.message}`);
    throw new EngineError('bundle_invalid', `${where}: ${problems.join('; ')}`);
  }
  return result.data;
}
