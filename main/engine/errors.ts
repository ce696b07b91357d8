/**
 * Errors the engine reports to the user. The code matches the contract's error codes (or says the
 * job ended another way); the message names the file, field or numbers involved.
 */
export type EngineErrorCode =
  | 'bundle_invalid'
  | 'image_invalid'
  | 'prompt_invalid'
  | 'validation_failed'
  | 'cancelled'
  | 'timeout'
  | 'worker_crashed'
  | 'internal';

export class EngineError extends Error {
  constructor(
    readonly code: EngineErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'EngineError';
  }
}

export function isEngineError(error: unknown): error is EngineError {
  return error instanceof EngineError;
}
