import { describe, expect, it } from 'vitest';
import type { InferenceSession } from 'onnxruntime-node';
import { runPython } from '../../../test/fixtures/tiny-bundle';
import { EngineError } from '../errors';
import type { GraphKey } from '../types';
import { graphKeys } from '../types';
import type { GraphIoContext, GraphIoSession, TensorSpec } from './graph-io';
import { cacheNames, checkGraphIo, graphIo } from './graph-io';

const dims = { size: 32, tokensPerImage: 16, D: 48, T: 64, V: 512, S: 128, N: 64, imageSize: 32, L: 3, C: 6, H: 4, Dh: 16 };
const context: GraphIoContext = { file: '/b/decode.onnx', layers: 3, kvDtype: 'float32', dims };
const spec = graphIo(3);

/** A session stand-in whose metadata follows the spec, with dynamic letters left symbolic. */
function fakeSession(key: GraphKey, edit?: (inputs: InferenceSession.TensorValueMetadata[]) => void): GraphIoSession {
  const toMeta = (spec: TensorSpec): InferenceSession.TensorValueMetadata => ({
    name: spec.name,
    isTensor: true,
    type: spec.dtype === 'kv' ? 'float32' : spec.dtype,
    shape: spec.shape.map((dim) => (typeof dim === 'number' ? dim : (dims[dim as keyof typeof dims] ?? dim))),
  });
  const inputs = spec[key].inputs.map(toMeta);
  const outputs = spec[key].outputs.map(toMeta);
  edit?.(inputs);
  return {
    inputNames: inputs.map((meta) => meta.name),
    outputNames: outputs.map((meta) => meta.name),
    inputMetadata: inputs,
    outputMetadata: outputs,
  };
}

function problem(key: GraphKey, session: GraphIoSession, ctx = context): string {
  try {
    checkGraphIo(key, session, ctx);
  } catch (error) {
    expect(error).toBeInstanceOf(EngineError);
    expect((error as EngineError).code).toBe('bundle_invalid');
    return (error as EngineError).message;
  }
  throw new Error('expected checkGraphIo to throw');
}

describe('checkGraphIo', () => {
  it('accepts graphs that follow BUNDLE.md', () => {
    for (const key of graphKeys) {
      expect(() => checkGraphIo(key, fakeSession(key), context)).not.toThrow();
    }
  });

  it('names missing and unexpected inputs and the file', () => {
    const session = fakeSession('decode', (inputs) => {
      inputs[2] = { ...inputs[2]!, name: 'start_idx' };
    });
    expect(problem('decode', session)).toBe(
      '/b/decode.onnx: the decode graph does not match the bundle format (BUNDLE.md): missing input start_index; unexpected input start_idx',
    );
  });

  it('checks names only when onnxruntime gives no metadata', () => {
    const { inputNames, outputNames } = fakeSession('vision');
    expect(() => checkGraphIo('vision', { inputNames, outputNames }, context)).not.toThrow();
    expect(problem('vision', { inputNames: [], outputNames })).toContain('missing input pixels');
  });

  it('checks dtypes, with the caches following the manifest kvDtype', () => {
    const message = problem('decode', fakeSession('decode'), { ...context, kvDtype: 'float16' });
    expect(message).toContain('input key_cache_0 is float32, expected float16 (the manifest kvDtype)');
    expect(message).toContain('output new_kv is float32, expected float16 (the manifest kvDtype)');
    const session = fakeSession('decode', (inputs) => {
      inputs[2] = { ...inputs[2]!, type: 'int32' };
    });
    expect(problem('decode', session)).toContain('input start_index is int32, expected int64');
  });

  it('checks ranks and the dimensions the manifest fixes', () => {
    const session = fakeSession('decode', (inputs) => {
      inputs[2] = { ...inputs[2]!, shape: [1] };
      inputs[0] = { ...inputs[0]!, shape: ['R', 1000] };
    });
    const message = problem('decode', session);
    expect(message).toContain('input start_index has rank 1 [1], expected 0 []');
    expect(message).toContain('input logits has 1000 at axis 1 [R, 1000], expected V = 512 [R, V]');
  });

  it('wants one key and one value cache per layer, by name', () => {
    expect(cacheNames(2)).toEqual(['key_cache_0', 'value_cache_0', 'key_cache_1', 'value_cache_1']);
    // A bundle whose graphs have 3 layers, opened with a manifest that says 4.
    const message = problem('prefill', fakeSession('prefill'), { ...context, layers: 4 });
    expect(message).toBe(
      '/b/decode.onnx: the prefill graph does not match the bundle format (BUNDLE.md): missing outputs key_cache_3, value_cache_3',
    );
  });

  it('mirrors native-models/mentor_models/bundle_spec.py graph_io (names, dtypes, ranks, order)', async () => {
    const stdout = await runPython(
      [
        'import json',
        'from mentor_models.bundle_spec import GRAPH_FILES, graph_io',
        'print(json.dumps({k: [[[t.name, t.dtype, t.rank] for t in side] for side in graph_io(k, 3)] for k in GRAPH_FILES}))',
      ].join('\n'),
    );
    const python = JSON.parse(stdout) as Record<string, [string, string, number][][]>;
    const ours = Object.fromEntries(
      graphKeys.map((key) => [key, [spec[key].inputs, spec[key].outputs].map((side) => side.map((t) => [t.name, t.dtype, t.shape.length]))]),
    );
    expect(ours).toEqual(python);
  });
});
