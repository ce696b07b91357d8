import { EngineError } from '../errors';
import type { GenerationRequest } from './generate';

export const maxBatch = 8;

/** Refuses what the graphs cannot run, before anything runs. The sampler maps odd values (e.g. a
 * negative top-k) on its own; the user gets told instead. */
export function checkRequest(request: GenerationRequest, codebookSize: number): void {
  const { params, count } = request;
  const problems: string[] = [];
  if (!Number.isInteger(count) || count < 1 || count > maxBatch) {
    problems.push(`count must be 1 to ${maxBatch}, got ${count}`);
  }
  if (request.seed < 0n || request.seed > 0xffffffffffffffffn) {
    problems.push('seed must be an unsigned 64-bit integer');
  }
  if (!(params.cfgScale >= 0)) {
    problems.push(`cfg scale must be ≥ 0, got ${params.cfgScale}`);
  }
  if (!(params.temperature >= 0)) {
    problems.push(`temperature must be ≥ 0, got ${params.temperature}`);
  }
  if (!Number.isInteger(params.topK) || params.topK < 0) {
    problems.push(`top-k must be a whole number ≥ 0 (0 = off; the codebook has ${codebookSize}), got ${params.topK}`);
  }
  if (!(params.topP > 0 && params.topP <= 1)) {
    problems.push(`top-p must be in (0, 1], got ${params.topP}`);
  }
  if (request.tokensPerCall !== undefined && (!Number.isInteger(request.tokensPerCall) || request.tokensPerCall < 1)) {
    problems.push(`tokens per call must be a whole number ≥ 1, got ${request.tokensPerCall}`);
  }
  if (request.firstVariation !== undefined && (!Number.isSafeInteger(request.firstVariation) || request.firstVariation < 0)) {
    problems.push(`the first variation must be a whole number ≥ 0, got ${request.firstVariation}`);
  }
  if (problems.length > 0) {
    throw new EngineError('validation_failed', problems.join('; '));
  }
}
