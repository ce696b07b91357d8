import type { ErrorCode } from '../../preload/contract';

/**
 * A failure a service means to report to the user. The router turns it into
 * `{ ok: false, error: { code, message, detail } }`; any other thrown error becomes `internal`.
 */
export class StudioFailure extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly detail?: unknown,
  ) {
    super(message);
    this.name = 'StudioFailure';
  }
}
