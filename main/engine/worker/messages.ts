/**
 * The messages between the engine supervisor (main) and the engine worker process. Both sides parse
 * what they receive with these schemas: a worker is a separate program that may be older, newer or
 * broken, and a malformed message must become a clear error, not undefined behaviour.
 *
 * Images cross as PNG bytes in base64: the worker encodes them (it is idle once a batch is decoded, and
 * deflate on the main thread would stall the UI's IPC), and main then only hashes and writes the bytes it
 * stores. A 512² PNG is well under 1 MB, eight of them a few MB of JSON once per batch: nothing next to
 * the seconds a batch takes, and no temp files to clean up after a crash.
 */
import { z } from 'zod';
import { SamplingParams, Seed, Sha256 } from '../../../preload/contract';

const JobId = z.string().min(1).max(100);
const Base64 = z.string().regex(/^[A-Za-z0-9+/]*={0,2}$/, 'expected base64');

/** A reference image: a file the worker reads, or the bytes themselves. `name` appears in error messages. */
export const WorkerReference = z.union([
  z.object({ name: z.string(), path: z.string().min(1) }).strict(),
  z.object({ name: z.string(), base64: Base64 }).strict(),
]);
export type WorkerReference = z.infer<typeof WorkerReference>;

export const RunMessage = z
  .object({
    type: z.literal('run'),
    jobId: JobId,
    bundleDir: z.string().min(1),
    device: z.enum(['cpu', 'cuda']),
    /** Intra-op threads for onnxruntime; absent: the runtime's default. */
    threads: z.number().int().positive().optional(),
    /** Where the bundle file hashes are cached across starts (shared with main). */
    hashCachePath: z.string().min(1).optional(),
    request: z
      .object({
        prompt: z.string(),
        references: z.array(WorkerReference),
        seed: Seed,
        count: z.number().int().positive(),
        /**
         * The variation index of the first image; default 0. Image b uses uniforms(seed, firstVariation + b),
         * so a re-run of variation v alone (count 1, firstVariation v) gives the image it gave in its batch.
         */
        firstVariation: z.number().int().nonnegative().optional(),
        params: SamplingParams,
        tokensPerCall: z.number().int().positive().optional(),
        /**
         * Written into each PNG's text chunks (generation-metadata.ts) with what the worker knows (the
         * bundle that really ran, the image size); absent: PNGs without text.
         */
        metadata: z
          .object({
            references: z.array(Sha256),
            engineVersion: z.string(),
            /**
             * The `Count` to record: the size of the batch the images belong to. Absent: firstVariation + count.
             * A re-run of variation v of an n-image batch records n, so its PNG is byte-identical to the first.
             */
            count: z.number().int().positive().optional(),
          })
          .strict()
          .optional(),
      })
      .strict(),
  })
  .strict();
export type RunMessage = z.infer<typeof RunMessage>;

export const CancelMessage = z.object({ type: z.literal('cancel'), jobId: JobId }).strict();
export type CancelMessage = z.infer<typeof CancelMessage>;

/** Close the cached runtime and exit 0. */
export const ShutdownMessage = z.object({ type: z.literal('shutdown') }).strict();

export const ToWorker = z.discriminatedUnion('type', [RunMessage, CancelMessage, ShutdownMessage]);
export type ToWorker = z.infer<typeof ToWorker>;

const PngImage = z.object({ width: z.number().int().positive(), height: z.number().int().positive(), pngBase64: Base64 }).strict();
export type PngImage = z.infer<typeof PngImage>;

export const ReadyMessage = z.object({ type: z.literal('ready'), pid: z.number().int() }).strict();

/** The runtime for a job is open (loaded now, or reused); says which device really runs it. */
export const LoadedMessage = z
  .object({
    type: z.literal('loaded'),
    jobId: JobId,
    device: z.enum(['cpu', 'cuda']),
    deviceNote: z.string().nullable(),
    /** 0 when the runtime was already open for this bundle and device. */
    loadMs: z.number().nonnegative(),
  })
  .strict();

export const ProgressMessage = z
  .object({
    type: z.literal('progress'),
    jobId: JobId,
    row: z.number().int().nonnegative(),
    rows: z.number().int().positive(),
    tokensPerSecond: z.number().nonnegative(),
    etaMs: z.number().nonnegative(),
    preview: PngImage.optional(),
  })
  .strict();
export type ProgressMessage = z.infer<typeof ProgressMessage>;

export const DoneMessage = z
  .object({
    type: z.literal('done'),
    jobId: JobId,
    /** One PNG per variation, in variation order. */
    images: z.array(PngImage),
    timings: z.record(z.string(), z.number()),
    boundaryBytes: z.number().nonnegative(),
  })
  .strict();
export type DoneMessage = z.infer<typeof DoneMessage>;

export const WorkerFailureCode = z.enum([
  'bundle_invalid',
  'image_invalid',
  'prompt_invalid',
  'validation_failed',
  'cancelled',
  'timeout',
  'worker_crashed',
  'internal',
]);

export const FailedMessage = z
  .object({
    type: z.literal('failed'),
    /** null: a message the worker could not attribute to a job (e.g. it failed to parse). */
    jobId: JobId.nullable(),
    code: WorkerFailureCode,
    message: z.string(),
  })
  .strict();
export type FailedMessage = z.infer<typeof FailedMessage>;

export const FromWorker = z.discriminatedUnion('type', [ReadyMessage, LoadedMessage, ProgressMessage, DoneMessage, FailedMessage]);
export type FromWorker = z.infer<typeof FromWorker>;

/** `field: problem; …` for a message that failed its schema. */
export function describeMessageIssues(error: z.ZodError): string {
  return error.issues.map((issue) => `${issue.path.length > 0 ? issue.path.join('.') : '(message)'}: ${issue.message}`).join('; ');
}
