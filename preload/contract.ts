/**
 * The one contract between the renderer and main, for both transports (Electron IPC and the
 * WebSocket of `npm run serve`). It imports nothing but zod so that main, preload and renderer can
 * all import it (main to validate, preload to build the bridge, renderer for types and form checks).
 *
 * Rules:
 * - Methods are named `domain:verb`. Every method has an input and an output schema; main parses
 *   both, so nothing unchecked crosses the boundary in either direction.
 * - Errors cross as data: `{ ok: false, error: { code, message, detail? } }`, `code` from `errorCodes`.
 * - Long work returns an id at once; progress arrives as events and the state stays readable by id.
 */
import { z } from 'zod';

// #region Errors

export const errorCodes = [
  /** The payload does not match the contract; `message` names the field, `detail.issues` lists all. */
  'validation_failed',
  /** No such method in the contract. */
  'unknown_method',
  /** The thing asked for does not exist (or is in the trash). */
  'not_found',
  /** Missing or wrong access token (WebSocket transport). */
  'unauthorized',
  /** The request came from a page that is not the studio (Origin check, WebSocket transport). */
  'forbidden_origin',
  /** An Electron IPC message from a frame that is not the studio's own top-level page. */
  'forbidden_sender',
  /** The library database cannot be used (damaged, or written by a newer studio); `message` says why. */
  'library_unavailable',
  /** The request contradicts the current state (e.g. a name already taken). */
  'conflict',
  /** A model bundle cannot be used (missing file, hash mismatch, unknown format, wrong graph inputs). */
  'bundle_invalid',
  /** A reference image cannot be read (corrupt, empty, too large, not an image). */
  'image_invalid',
  /** The prompt cannot run as written (markers ≠ images, over the token budget). */
  'prompt_invalid',
  /** The window could not reach main (connection lost, timed out); the call may not have run. */
  'unreachable',
  /** A bug or an unexpected failure in main; the stack is in main's log, not here. */
  'internal',
] as const;

export const ErrorCode = z.enum(errorCodes);
export type ErrorCode = z.infer<typeof ErrorCode>;

export const StudioError = z.object({
  code: ErrorCode,
  message: z.string(),
  detail: z.unknown().optional(),
});
export type StudioError = z.infer<typeof StudioError>;

export type Result<T> = { ok: true; value: T } | { ok: false; error: StudioError };

/** One field-level problem in a rejected payload; `path` is dotted (`name`, `items.0.x`). */
export const ValidationIssue = z.object({ path: z.string(), message: z.string() });
export type ValidationIssue = z.infer<typeof ValidationIssue>;

// #endregion

// #region Entities

const Id = z.string().uuid();
/** Milliseconds since the Unix epoch. */
const Timestamp = z.number().int().nonnegative();

export const boardNameMaxLength = 120;
export const BoardName = z
  .string()
  .trim()
  .min(1, 'A board needs a name')
  .max(boardNameMaxLength, `A board name has at most ${boardNameMaxLength} characters`);

export const Board = z.object({
  id: Id,
  name: z.string(),
  itemCount: z.number().int().nonnegative(),
  createdAt: Timestamp,
  updatedAt: Timestamp,
});
export type Board = z.infer<typeof Board>;

export const LibraryState = z.object({
  /** `ok`; `damaged`: integrity check failed or not a database; `too-new`: written by a newer studio. */
  state: z.enum(['ok', 'damaged', 'too-new', 'unavailable']),
  /** What the user should read when the state is not `ok`. */
  message: z.string().nullable(),
  databasePath: z.string(),
  schemaVersion: z.number().int().nonnegative(),
});
export type LibraryState = z.infer<typeof LibraryState>;

export const EngineState = z.object({
  state: z.enum(['not-loaded', 'idle', 'busy', 'unavailable']),
  /** The device the engine runs on once loaded; null until then. */
  device: z.enum(['cpu', 'cuda']).nullable(),
  /** A sentence for the user, e.g. why CUDA is not used. */
  detail: z.string(),
});
export type EngineState = z.infer<typeof EngineState>;

export const Health = z.object({
  name: z.literal('mentor-studio'),
  version: z.string(),
  transport: z.enum(['electron', 'websocket']),
  dataFolder: z.string(),
  library: LibraryState,
  engine: EngineState,
});
export type Health = z.infer<typeof Health>;

/** sha256 of content, lowercase hex: how assets (images) are addressed. */
export const Sha256 = z.string().regex(/^[0-9a-f]{64}$/, 'Expected a sha256 hex digest');

const maxSeed = 18446744073709551615n;
/** Unsigned 64-bit seed as a decimal string (JSON numbers cannot hold 64 bits). */
export const Seed = z
  .string()
  .regex(/^(0|[1-9]\d{0,19})$/, 'A seed is a whole number from 0 to 18446744073709551615')
  .refine((value) => BigInt(value) <= maxSeed, 'A seed is a whole number from 0 to 18446744073709551615');

export const SamplingParams = z.object({
  /** Classifier-free guidance scale; at most 1 turns guidance off. */
  cfgScale: z.number().min(0).max(50),
  /** 0 means greedy (argmax). */
  temperature: z.number().min(0).max(5),
  /** 0 means no top-k filter. */
  topK: z.number().int().min(0),
  /** 1 means no nucleus filter. */
  topP: z.number().gt(0).max(1),
});
export type SamplingParams = z.infer<typeof SamplingParams>;

export const maxVariations = 8;

export const Model = z.object({
  id: Id,
  name: z.string(),
  path: z.string(),
  formatVersion: z.number().int(),
  precision: z.enum(['fp32', 'fp16']),
  sizeBytes: z.number().int().nonnegative(),
  /** sha256 of the bundle's manifest.json, which lists every file's hash. */
  bundleSha256: Sha256,
  imageSize: z.number().int().positive(),
  prefixLength: z.number().int().positive(),
  tokensPerImage: z.number().int().positive(),
  sampling: SamplingParams,
  installedAt: Timestamp,
});
export type Model = z.infer<typeof Model>;

export const GenerationStatus = z.enum(['queued', 'running', 'done', 'failed', 'cancelled', 'interrupted']);
export type GenerationStatus = z.infer<typeof GenerationStatus>;

/** One image: a variation of a batch. The row holds all that is needed to run it again exactly. */
export const Generation = z.object({
  id: Id,
  batchId: Id,
  /** Index in its batch; also the image index of the uniforms, so it is reproducible alone. */
  variation: z.number().int().nonnegative(),
  boardId: Id.nullable(),
  modelId: Id.nullable(),
  prompt: z.string(),
  references: z.array(Sha256),
  seed: Seed,
  params: SamplingParams,
  status: GenerationStatus,
  error: z.string().nullable(),
  resultSha256: Sha256.nullable(),
  createdAt: Timestamp,
  startedAt: Timestamp.nullable(),
  finishedAt: Timestamp.nullable(),
});
export type Generation = z.infer<typeof Generation>;

// #endregion

// #region Methods

const NoInput = z.object({}).strict();

export type MethodSpec = { input: z.ZodType; output: z.ZodType };

export const methods = {
  'app:health': { input: NoInput, output: Health },

  'boards:list': { input: NoInput, output: z.object({ boards: z.array(Board) }) },
  'boards:get': { input: z.object({ id: Id }).strict(), output: Board },
  'boards:create': { input: z.object({ name: BoardName }).strict(), output: Board },
  'boards:rename': { input: z.object({ id: Id, name: BoardName }).strict(), output: Board },
  'boards:delete': { input: z.object({ id: Id }).strict(), output: z.object({ id: Id }) },

  'models:list': { input: NoInput, output: z.object({ models: z.array(Model) }) },
  /** Validates a bundle folder (manifest, hashes, graph inputs) and adds it to the library. */
  'models:import': { input: z.object({ path: z.string().min(1) }).strict(), output: Model },

  /** Stores an image (a reference) in the library; bytes travel base64 over the socket. */
  'assets:import': {
    input: z.object({ name: z.string().max(255), dataBase64: z.string().min(1) }).strict(),
    output: z.object({ sha256: Sha256, width: z.number().int(), height: z.number().int() }),
  },

  /** Queues `count` variations of one prompt; returns at once, progress arrives as events. */
  'generations:enqueue': {
    input: z
      .object({
        modelId: Id,
        boardId: Id.nullable().optional(),
        prompt: z.string().min(1, 'Write a prompt').max(4000),
        references: z.array(Sha256).max(8),
        /** Absent: a random seed is chosen and stored. */
        seed: Seed.optional(),
        count: z.number().int().min(1).max(maxVariations).default(1),
        /** Absent fields take the model's defaults. */
        params: SamplingParams.partial().optional(),
      })
      .strict(),
    output: z.object({ batchId: Id, generations: z.array(Generation) }),
  },
  'generations:get': { input: z.object({ id: Id }).strict(), output: Generation },
  'generations:list': {
    input: z
      .object({ statuses: z.array(GenerationStatus).optional(), limit: z.number().int().min(1).max(1000).default(100) })
      .strict(),
    output: z.object({ generations: z.array(Generation) }),
  },
  /** Cancels a queued or running batch; a running one stops at the next image row. */
  'generations:cancel': { input: z.object({ batchId: Id }).strict(), output: z.object({ cancelled: z.number().int() }) },
} as const satisfies Record<`${string}:${string}`, MethodSpec>;

export type Methods = typeof methods;
export type MethodName = keyof Methods;
export type MethodInput<M extends MethodName> = z.input<Methods[M]['input']>;
export type MethodOutput<M extends MethodName> = z.output<Methods[M]['output']>;
export const methodNames = Object.keys(methods) as MethodName[];

export function isMethodName(name: string): name is MethodName {
  return Object.prototype.hasOwnProperty.call(methods, name);
}

// #endregion

// #region Events

export const events = {
  /** A board was created, renamed or deleted, by this window or another one. */
  'boards:changed': z.object({
    boardId: Id,
    change: z.enum(['created', 'renamed', 'deleted']),
  }),
  'engine:state': EngineState,
  /** A running batch finished an image row; `preview` at most a few times per second. */
  'generation:progress': z.object({
    batchId: Id,
    row: z.number().int().nonnegative(),
    rows: z.number().int().positive(),
    tokensPerSecond: z.number().nonnegative(),
    etaMs: z.number().nonnegative(),
    preview: z.object({ width: z.number().int(), height: z.number().int(), pngBase64: z.string() }).optional(),
  }),
  /** A batch changed state (queued → running → done / failed / cancelled / interrupted). */
  'generation:state': z.object({
    batchId: Id,
    status: GenerationStatus,
    error: z.string().nullable(),
    generationIds: z.array(Id),
  }),
} as const satisfies Record<`${string}:${string}`, z.ZodType>;

export type Events = typeof events;
export type EventName = keyof Events;
export type EventPayload<E extends EventName> = z.output<Events[E]>;
export const eventNames = Object.keys(events) as EventName[];

export function isEventName(name: string): name is EventName {
  return Object.prototype.hasOwnProperty.call(events, name);
}

// #endregion

// #region Bridge shape (what preload exposes as `window.studio`)

type DomainOf<M extends string> = M extends `${infer D}:${string}` ? D : never;
type VerbOf<M extends string, D extends string> = M extends `${D}:${infer V}` ? V : never;

/**
 * `window.studio.boards.create({ name })`: one named function per method, grouped by domain,
 * plus `on(event, listener)` that returns an unsubscribe function. Never `ipcRenderer` itself.
 */
export type StudioBridge = {
  [D in DomainOf<MethodName>]: {
    [V in VerbOf<MethodName, D>]: `${D}:${V}` extends infer M extends MethodName
      ? (input: MethodInput<M>) => Promise<Result<MethodOutput<M>>>
      : never;
  };
} & {
  on<E extends EventName>(event: E, listener: (payload: EventPayload<E>) => void): () => void;
};

/** Splits `domain:verb`; the preload uses it to build the bridge from `methodNames`. */
export function splitMethodName(name: MethodName): { domain: string; verb: string } {
  const [domain = '', verb = ''] = name.split(':');
  return { domain, verb };
}

/** The Electron IPC channel that carries a method: one channel per method, all prefixed. */
export const ipcChannelPrefix = 'studio:';
export const ipcEventChannel = 'studio-event';

// #endregion

// #region WebSocket wire format (the `serve` transport)

export const WireCall = z.object({
  type: z.literal('call'),
  id: z.number().int().nonnegative(),
  method: z.string(),
  input: z.unknown(),
});
export type WireCall = z.infer<typeof WireCall>;

export type WireResult = { type: 'result'; id: number; result: Result<unknown> };
export type WireEvent = { type: 'event'; event: EventName; payload: unknown };
export type WireServerMessage = WireResult | WireEvent;

// #endregion
