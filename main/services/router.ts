import type { z } from 'zod';
import {
  isMethodName,
  methods,
  type MethodInput,
  type MethodName,
  type MethodOutput,
  type Result,
  type ValidationIssue,
} from '../../preload/contract';
import { StudioFailure } from './studio-failure';

/** One function per contract method; inputs arrive already parsed. */
export type StudioServices = {
  [M in MethodName]: (input: z.output<(typeof methods)[M]['input']>) => Promise<MethodOutput<M>> | MethodOutput<M>;
};

export type Router = {
  /** Validates `input` against the contract, runs the method, validates its output. Never throws. */
  call(method: string, input: unknown): Promise<Result<unknown>>;
};

export type RouterOptions = {
  /** Where unexpected errors go with their stacks; the caller only ever sees `internal`. */
  logError?: (message: string, error: unknown) => void;
};

export function createRouter(services: StudioServices, options: RouterOptions = {}): Router {
  const logError = options.logError ?? ((message, error) => console.error(message, error));
  return {
    async call(method, input) {
      if (!isMethodName(method)) {
        return failure('unknown_method', `Unknown method "${method}"`);
      }
      const spec = methods[method];
      const parsed = spec.input.safeParse(input ?? {});
      if (!parsed.success) {
        return validationFailure(method, parsed.error);
      }
      try {
        const handler = services[method] as (input: unknown) => unknown;
        const value = await handler(parsed.data);
        const checked = spec.output.safeParse(value);
        if (!checked.success) {
          logError(`${method} returned a value outside the contract`, checked.error);
          return failure('internal', `${method} produced an invalid result`);
        }
        return { ok: true, value: checked.data };
      } catch (error) {
        if (error instanceof StudioFailure) {
          return failure(error.code, error.message, error.detail);
        }
        logError(`${method} failed`, error);
        return failure('internal', `${method} failed unexpectedly: ${errorMessage(error)}`);
      }
    },
  };
}

/** Turns zod issues into `field: problem` lines, so the message names the field. */
export function describeIssues(error: z.ZodError): ValidationIssue[] {
  return error.issues.map((issue) => ({
    path: issue.path.length > 0 ? issue.path.map(String).join('.') : '(payload)',
    message: issue.message,
  }));
}

function validationFailure(method: string, error: z.ZodError): Result<never> {
  const issues = describeIssues(error);
  const summary = issues.map((issue) => `${issue.path}: ${issue.message}`).join('; ');
  return failure('validation_failed', `Invalid input for ${method}: ${summary}`, { issues });
}

function failure(code: StudioFailure['code'], message: string, detail?: unknown): Result<never> {
  return detail === undefined ? { ok: false, error: { code, message } } : { ok: false, error: { code, message, detail } };
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

export type { MethodInput };
