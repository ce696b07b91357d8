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
