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
  /** This window's transport cannot do it (a native dialog asked for from a browser tab). */
  'unsupported',
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
  // zod runs refinements even after the pattern failed, so the digits are tested again before BigInt().
  .refine((value) => /^\d{1,20}$/.test(value) && BigInt(value) <= maxSeed, 'A seed is a whole number from 0 to 18446744073709551615');

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
  precision: z.enum(['fp32', 'fp16', 'int8', 'int4']),
  sizeBytes: z.number().int().nonnegative(),
  /** sha256 of the bundle's manifest.json, which lists every file's hash. */
  bundleSha256: Sha256,
  imageSize: z.number().int().positive(),
  prefixLength: z.number().int().positive(),
  tokensPerImage: z.number().int().positive(),
  sampling: SamplingParams,
  /** Where the weights came from, for the user: "random init (tiny preset)", "official checkpoint", … */
  source: z.string(),
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
  /** 1–5 stars given by the user; null: not rated. */
  rating: z.number().int().min(1).max(5).nullable(),
  /** Marked as a favourite. */
  starred: z.boolean(),
  /** Set while the generation is in the trash (gallery delete); null otherwise. */
  trashedAt: Timestamp.nullable(),
  /** Position in the queue (smaller runs first); meaningful while queued. */
  queuePosition: z.number().int(),
  createdAt: Timestamp,
  startedAt: Timestamp.nullable(),
  finishedAt: Timestamp.nullable(),
});
export type Generation = z.infer<typeof Generation>;

/** An image placed on a board: a reference the user brought, or a generated result. */
export const BoardItem = z.object({
  id: Id,
  boardId: Id,
  kind: z.enum(['reference', 'generation']),
  assetSha256: Sha256,
  /** The generation that made this image (kind `generation`, or a result reused as a reference). */
  generationId: Id.nullable(),
  /** The file name the image was first imported under ("cat.png"); null when it came without one. */
  name: z.string().nullable(),
  /** Lineage: the items whose images were the references of the generation that made this one. */
  sourceItemIds: z.array(Id),
  x: z.number(),
  y: z.number(),
  width: z.number().positive(),
  height: z.number().positive(),
  zIndex: z.number().int(),
  createdAt: Timestamp,
});
export type BoardItem = z.infer<typeof BoardItem>;

/** The parameters panel as a named preset. */
export const PresetParams = z.object({
  seedMode: z.enum(['random', 'fixed', 'increment']),
  seed: Seed.nullable(),
  count: z.number().int().min(1).max(8),
  sampling: SamplingParams,
});
export type PresetParams = z.infer<typeof PresetParams>;
export const Preset = z.object({ name: z.string().trim().min(1).max(80), params: PresetParams, updatedAt: Timestamp });
export type Preset = z.infer<typeof Preset>;

/** What a generated PNG's `mentor` text chunk says (written by the engine, BUNDLE.md / README). */
export const ImageMetadata = z.object({
  prompt: z.string(),
  seed: Seed,
  variation: z.number().int().nonnegative(),
  params: SamplingParams,
  /** Reference hashes in marker order; `inLibrary` says whether each can be used again here. */
  references: z.array(z.object({ sha256: Sha256, inLibrary: z.boolean() })),
  bundleSha256: Sha256.nullable(),
  /** An installed model with that bundle, if any. */
  modelId: Id.nullable(),
});
export type ImageMetadata = z.infer<typeof ImageMetadata>;

/** Token budget of a prompt against a model's prefix (the composer's meter). */
export const PromptMeasure = z.object({
  markers: z.number().int().nonnegative(),
  textTokens: z.number().int().nonnegative(),
  imageTokens: z.number().int().nonnegative(),
  totalTokens: z.number().int().nonnegative(),
  prefixLength: z.number().int().positive(),
  /** null when the prompt can run; else the sentence the user reads (numbers included). */
  problem: z.string().nullable(),
});
export type PromptMeasure = z.infer<typeof PromptMeasure>;

/** Gallery query: all filters combine with AND; `text` is full-text over prompts (prefix match per word). */
export const GallerySearch = z
  .object({
    text: z.string().max(200).optional(),
    boardId: Id.optional(),
    modelId: Id.optional(),
    seed: Seed.optional(),
    referenceSha256: Sha256.optional(),
    minRating: z.number().int().min(1).max(5).optional(),
    starred: z.boolean().optional(),
    /** createdAt range, inclusive, ms since epoch. */
    from: Timestamp.optional(),
    to: Timestamp.optional(),
    /** Default false: the gallery; true: the trash. */
    trashed: z.boolean().optional(),
    offset: z.number().int().nonnegative().default(0),
    limit: z.number().int().min(1).max(500).default(100),
  })
  .strict();

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
  /** Validates a bundle folder (manifest, hashes, graph inputs) and adds it to the library; progress as `models:import-progress`. */
  'models:import': { input: z.object({ path: z.string().min(1) }).strict(), output: Model },
  /** Removes a model from the library (its folder on disk is left alone). */
  'models:remove': { input: z.object({ id: Id }).strict(), output: z.object({ id: Id }) },

  /**
   * The system's folder chooser (desktop app only; a browser tab gets `unsupported` and types the
   * path). `path` is null when the user cancels.
   */
  'dialogs:pickFolder': {
    input: z.object({ title: z.string().min(1).max(200) }).strict(),
    output: z.object({ path: z.string().min(1).nullable() }),
  },

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
        /** Canvas lineage: the board items whose images are the references; results are placed next to them. */
        sourceItemIds: z.array(Id).max(8).optional(),
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
  /** Finished images (status done), newest first; `total` counts all matches. */
  'generations:search': {
    input: GallerySearch,
    output: z.object({ total: z.number().int().nonnegative(), generations: z.array(Generation) }),
  },
  /** Sets rating and/or starred on each id; absent fields are left as they are. */
  'generations:rate': {
    input: z
      .object({ ids: z.array(Id).min(1).max(1000), rating: z.number().int().min(1).max(5).nullable().optional(), starred: z.boolean().optional() })
      .strict(),
    output: z.object({ generations: z.array(Generation) }),
  },
  /** Moves finished generations to the trash (undo with `generations:restore`). */
  'generations:trash': { input: z.object({ ids: z.array(Id).min(1).max(1000) }).strict(), output: z.object({ ids: z.array(Id) }) },
  'generations:restore': { input: z.object({ ids: z.array(Id).min(1).max(1000) }).strict(), output: z.object({ ids: z.array(Id) }) },
  /**
   * Runs one generation again exactly: same model, prompt, references, seed, parameters and variation
   * index, as a new batch of one. Optionally onto a board (its result is placed next to `sourceItemIds`).
   */
  'generations:rerun': {
    input: z.object({ id: Id, boardId: Id.nullable().optional(), sourceItemIds: z.array(Id).max(8).optional() }).strict(),
    output: z.object({ batchId: Id, generations: z.array(Generation) }),
  },
  /** An interrupted, failed or cancelled batch goes back to the end of the queue. */
  'generations:resume': { input: z.object({ batchId: Id }).strict(), output: z.object({ generations: z.array(Generation) }) },
  /** Moves a queued batch to `index` among the queued batches (0 = runs next). */
  'generations:move': {
    input: z.object({ batchId: Id, index: z.number().int().nonnegative() }).strict(),
    output: z.object({ batchIds: z.array(Id) }),
  },

  /** The queue panel: running and queued batches in run order, then interrupted ones; whether it is paused. */
  'queue:get': { input: NoInput, output: z.object({ paused: z.boolean(), generations: z.array(Generation) }) },
  /** Paused: the running batch finishes, nothing new starts. Survives a restart. */
  'queue:pause': { input: NoInput, output: z.object({ paused: z.boolean() }) },
  'queue:resume': { input: NoInput, output: z.object({ paused: z.boolean() }) },

  /** The canvas items of a board, bottom to top. */
  'items:list': { input: z.object({ boardId: Id }).strict(), output: z.object({ items: z.array(BoardItem) }) },
  /** Places an image (already in the library) on a board. */
  'items:add': {
    input: z
      .object({
        boardId: Id,
        assetSha256: Sha256,
        kind: z.enum(['reference', 'generation']).default('reference'),
        generationId: Id.nullable().optional(),
        sourceItemIds: z.array(Id).max(8).optional(),
        x: z.number(),
        y: z.number(),
        width: z.number().positive(),
        height: z.number().positive(),
      })
      .strict(),
    output: BoardItem,
  },
  /** Moves/resizes/restacks items (one undo step may touch several). */
  'items:update': {
    input: z
      .object({
        items: z
          .array(
            z
              .object({ id: Id, x: z.number().optional(), y: z.number().optional(), width: z.number().positive().optional(), height: z.number().positive().optional(), zIndex: z.number().int().optional() })
              .strict(),
          )
          .min(1)
          .max(1000),
      })
      .strict(),
    output: z.object({ items: z.array(BoardItem) }),
  },
  /** Removes items from their board; `items:restore` brings them back (undo). */
  'items:delete': { input: z.object({ ids: z.array(Id).min(1).max(1000) }).strict(), output: z.object({ ids: z.array(Id) }) },
  'items:restore': { input: z.object({ ids: z.array(Id).min(1).max(1000) }).strict(), output: z.object({ items: z.array(BoardItem) }) },

  /** Reads the parameters a generated PNG carries (its `mentor` text chunk); null when it has none. */
  'assets:readMetadata': {
    input: z.object({ dataBase64: z.string().min(1) }).strict(),
    output: z.object({ metadata: ImageMetadata.nullable() }),
  },

  /** Counts the prompt's tokens with the model's tokenizer, against its prefix length. */
  'prompts:measure': {
    input: z.object({ modelId: Id, prompt: z.string().max(4000), referenceCount: z.number().int().min(0).max(8) }).strict(),
    output: PromptMeasure,
  },

  'presets:list': { input: NoInput, output: z.object({ presets: z.array(Preset) }) },
  /** Saves (or overwrites) the preset with this name. */
  'presets:save': { input: z.object({ name: z.string().trim().min(1, 'A preset needs a name').max(80), params: PresetParams }).strict(), output: Preset },
  'presets:delete': { input: z.object({ name: z.string().min(1) }).strict(), output: z.object({ name: z.string() }) },
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
  /** A board's canvas items changed (added by the user or by a finished generation, moved, deleted, restored). */
  'items:changed': z.object({ boardId: Id, itemIds: z.array(Id), change: z.enum(['added', 'updated', 'deleted', 'restored']) }),
  /** The queue was paused/resumed or reordered; re-read `queue:get`. */
  'queue:changed': z.object({ paused: z.boolean() }),
  /** A model was imported or removed. */
  'models:changed': z.object({ modelId: Id, change: z.enum(['imported', 'removed']) }),
  /** Bundle import: hashing `file` (`doneBytes` of `totalBytes` over the whole bundle). */
  'models:import-progress': z.object({ path: z.string(), file: z.string(), doneBytes: z.number().nonnegative(), totalBytes: z.number().nonnegative() }),
  /** Gallery rows changed (rated, trashed, restored). */
  'generations:changed': z.object({ ids: z.array(Id), change: z.enum(['rated', 'trashed', 'restored']) }),
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
