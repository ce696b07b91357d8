/**
 * The inputs and outputs of each bundle graph, as BUNDLE.md lists them (mirror of
 * native-models/mentor_models/bundle_spec.py graph_io, plus the shapes of BUNDLE.md), and the check
 * that an opened graph has them. A bundle whose graphs differ from the contract is refused when it is
 * opened, naming the file and the tensor, rather than failing mid-generation with onnxruntime's words.
 */
import type { InferenceSession } from 'onnxruntime-node';
import { EngineError } from '../errors';
import type { GraphKey } from '../types';
import type { BundleManifest } from './manifest-schema';

/** Tensor dtypes as onnxruntime-node names them; 'kv' stands for the manifest's kvDtype. */
export type GraphDtype = 'float32' | 'float16' | 'int64' | 'uint8' | 'kv';

/**
 * A dimension: a number, or a letter of BUNDLE.md. Letters in `GraphDims` are checked against the
 * manifest (C = 2L, the cache count); the others (n, B, R = 2B, M, K) are dynamic.
 */
export type Dim = number | string;
export type TensorSpec = { name: string; dtype: GraphDtype; shape: readonly Dim[] };
export type GraphIoSpec = { inputs: readonly TensorSpec[]; outputs: readonly TensorSpec[] };

/** One layer's key or value cache: [2B, H, S, Dh]. */
const cacheShape: readonly Dim[] = ['R', 'H', 'S', 'Dh'];

/**
 * The per-layer KV caches that prefill.onnx returns and decode.onnx reads, in order: key_cache_0,
 * value_cache_0, key_cache_1, … (mirror of bundle_spec.py cache_names).
 */
export function cacheNames(layers: number): string[] {
  return Array.from({ length: layers }, (_, i) => [`key_cache_${i}`, `value_cache_${i}`]).flat();
}

/** The graphs' inputs and outputs for a GPT of `layers` layers (BUNDLE.md, format 2). */
export function graphIo(layers: number): Record<GraphKey, GraphIoSpec> {
  const caches: TensorSpec[] = cacheNames(layers).map((name) => ({ name, dtype: 'kv', shape: cacheShape }));
  return {
    vision: {
      inputs: [{ name: 'pixels', dtype: 'float32', shape: ['n', 3, 'size', 'size'] }],
      outputs: [{ name: 'image_embeds', dtype: 'float32', shape: ['n', 'tokensPerImage', 'D'] }],
    },
    textEncoder: {
      inputs: [
        { name: 'input_ids', dtype: 'int64', shape: ['B', 'T'] },
        { name: 'attention_mask', dtype: 'int64', shape: ['B', 'T'] },
        { name: 'image_embeds', dtype: 'float32', shape: ['B', 'M', 'D'] },
      ],
      outputs: [{ name: 'encoder_states', dtype: 'float32', shape: ['B', 'T', 'D'] }],
    },
    prefill: {
      inputs: [
        { name: 'encoder_states', dtype: 'float32', shape: ['B', 'T', 'D'] },
        { name: 'attention_mask', dtype: 'int64', shape: ['B', 'T'] },
      ],
      outputs: [
        { name: 'logits', dtype: 'float32', shape: ['R', 'V'] },
        { name: 'prefix_mask', dtype: 'int64', shape: ['B', 'T'] },
        ...caches,
      ],
    },
    decode: {
      inputs: [
        { name: 'logits', dtype: 'float32', shape: ['R', 'V'] },
        { name: 'prefix_mask', dtype: 'int64', shape: ['B', 'T'] },
        { name: 'start_index', dtype: 'int64', shape: [] },
        { name: 'uniforms', dtype: 'float32', shape: ['B', 'K'] },
        { name: 'cfg_scale', dtype: 'float32', shape: [] },
        { name: 'temperature', dtype: 'float32', shape: [] },
        { name: 'top_k', dtype: 'int64', shape: [] },
        { name: 'top_p', dtype: 'float32', shape: [] },
        ...caches,
      ],
      outputs: [
        { name: 'tokens', dtype: 'int64', shape: ['B', 'K'] },
        { name: 'logits_out', dtype: 'float32', shape: ['R', 'V'] },
        // The keys and values of the K tokens fed, one row per cache in cacheNames order.
        { name: 'new_kv', dtype: 'kv', shape: ['C', 'R', 'H', 'K', 'Dh'] },
      ],
    },
    vqDecode: {
      inputs: [{ name: 'tokens', dtype: 'int64', shape: ['B', 'N'] }],
      outputs: [{ name: 'image', dtype: 'uint8', shape: ['B', 'imageSize', 'imageSize', 3] }],
    },
  };
}

/** Values of the BUNDLE.md shape letters that a manifest fixes. */
export type GraphDims = Partial<Record<string, number>>;

/** The fixed dimensions a bundle's graphs must have, from its manifest. */
export function graphDims(manifest: BundleManifest): GraphDims {
  const { config } = manifest;
  const gpt = config.gpt;
  return {
    C: 2 * gpt.n_layer,
    size: config.preprocess.size,
    tokensPerImage: config.tokensPerImage,
    D: config.encoderWidth,
    T: config.prefixLength,
    V: config.codebookSize,
    S: config.kvCacheLength,
    N: config.grid * config.grid,
    imageSize: config.imageSize,
    L: gpt.n_layer,
    H: gpt.kv_heads,
    Dh: gpt.head_dim,
  };
}

/** What checkGraphIo reads from a session (an InferenceSession, or a stand-in in tests). */
export type GraphIoSession = Pick<InferenceSession, 'inputNames' | 'outputNames'> &
  Partial<Pick<InferenceSession, 'inputMetadata' | 'outputMetadata'>>;

export type GraphIoContext = {
  /** The graph file, as the messages should name it. */
  file: string;
  /** GPT layers (manifest config.gpt.n_layer): how many caches prefill returns and decode reads. */
  layers: number;
  kvDtype: 'float32' | 'float16';
  dims?: GraphDims;
};

function formatShape(shape: readonly Dim[]): string {
  return `[${shape.join(', ')}]`;
}

function checkTensors(
  kind: 'input' | 'output',
  specs: readonly TensorSpec[],
  names: readonly string[],
  metadata: readonly InferenceSession.ValueMetadata[] | undefined,
  context: GraphIoContext,
  problems: string[],
): void {
  const expected = specs.map((spec) => spec.name);
  const missing = expected.filter((name) => !names.includes(name));
  const unexpected = names.filter((name) => !expected.includes(name));
  if (missing.length > 0) {
    problems.push(`missing ${kind}${missing.length === 1 ? '' : 's'} ${missing.join(', ')}`);
  }
  if (unexpected.length > 0) {
    problems.push(`unexpected ${kind}${unexpected.length === 1 ? '' : 's'} ${unexpected.join(', ')}`);
  }
  if (!Array.isArray(metadata)) {
    return;
  }
  for (const spec of specs) {
    const meta = metadata.find((entry) => entry.name === spec.name);
    if (meta === undefined) {
      continue;
    }
    if (!meta.isTensor) {
      problems.push(`${kind} ${spec.name} is not a tensor`);
      continue;
    }
    const dtype = spec.dtype === 'kv' ? context.kvDtype : spec.dtype;
    if (meta.type !== dtype) {
      problems.push(`${kind} ${spec.name} is ${meta.type}, expected ${dtype}${spec.dtype === 'kv' ? ' (the manifest kvDtype)' : ''}`);
    }
    // onnxruntime reports an unknown shape as [], the same as a scalar's: only a known rank is checked.
    const shape = meta.shape;
    const rankKnown = shape.length > 0 || spec.shape.length === 0;
    if (!rankKnown) {
      continue;
    }
    if (shape.length !== spec.shape.length) {
      problems.push(
        `${kind} ${spec.name} has rank ${shape.length} ${formatShape(shape)}, expected ${spec.shape.length} ${formatShape(spec.shape)}`,
      );
      continue;
    }
    spec.shape.forEach((want, axis) => {
      const got = shape[axis];
      const wantValue = typeof want === 'number' ? want : context.dims?.[want];
      if (typeof got === 'number' && got >= 0 && wantValue !== undefined && got !== wantValue) {
        const label = typeof want === 'number' ? `${want}` : `${want} = ${wantValue}`;
        problems.push(`${kind} ${spec.name} has ${got} at axis ${axis} ${formatShape(shape)}, expected ${label} ${formatShape(spec.shape)}`);
      }
    });
  }
}

/**
 * Throws EngineError('bundle_invalid', '<file>: missing input start_index; …') when the session's inputs
 * or outputs differ from BUNDLE.md: names always; dtypes, ranks and the dimensions the manifest fixes
 * when onnxruntime reports metadata (onnxruntime-node ≥ 1.22 does).
 */
export function checkGraphIo(key: GraphKey, session: GraphIoSession, context: GraphIoContext): void {
  const spec = graphIo(context.layers)[key];
  const problems: string[] = [];
  checkTensors('input', spec.inputs, session.inputNames, session.inputMetadata, context, problems);
  checkTensors('output', spec.outputs, session.outputNames, session.outputMetadata, context, problems);
  if (problems.length > 0) {
    throw new EngineError(
      'bundle_invalid',
      `${context.file}: the ${key} graph does not match the bundle format (BUNDLE.md): ${problems.join('; ')}`,
    );
  }
}
