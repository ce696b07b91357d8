/**
 * Bytes a decode step must read, from the manifest's GPT config (native-models/mentor_models/configs.py
 * names): the floor of a bandwidth-bound step is these bytes over the machine's read bandwidth.
 */

export type GptShape = {
  dim: number;
  n_layer: number;
  n_head: number;
  kv_heads: number;
  head_dim: number;
  ffn_hidden_dim: number;
  vocab_size: number;
};

export type DecodeBytes = {
  /** Weights read once per step: every layer (attention, SwiGLU, norms), the final norm, the output head. */
  weightBytes: number;
  weightParameters: number;
  /** All KV caches of one image together (L layers × key and value × [2B, H, S, Dh]; B = 1, CFG doubles the rows). */
  kvCacheBytes: number;
  /**
   * KV bytes a step must read, averaged over the image: image token j attends to the T prefix slots
   * (padding included) and the j + 1 image slots up to itself, so T + (N + 1) / 2 slots on average.
   */
  kvReadBytes: number;
};

/**
 * Bytes per weight of a decode graph at the manifest's `graphPrecision.decode`. The quantized
 * precisions store 32 weights per fp32 scale (MatMulNBits, symmetric, no zero points), which adds
 * 4 / 32 bytes to each weight. Norms stay fp32 in every precision; at 2·dim per layer they are
 * left out of this average.
 */
export function weightBytesPerParameter(precision: 'fp32' | 'fp16' | 'int8' | 'int4'): number {
  const scalePerWeight = 4 / 32;
  return { fp32: 4, fp16: 2, int8: 1 + scalePerWeight, int4: 0.5 + scalePerWeight }[precision];
}

function field(config: Record<string, unknown>, name: keyof GptShape): number {
  const value = config[name];
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    throw new Error(`manifest config.gpt.${name} is missing or not a positive number`);
  }
  return value;
}

export function gptShape(config: Record<string, unknown>): GptShape {
  return {
    dim: field(config, 'dim'),
    n_layer: field(config, 'n_layer'),
    n_head: field(config, 'n_head'),
    kv_heads: field(config, 'kv_heads'),
    head_dim: field(config, 'head_dim'),
    ffn_hidden_dim: field(config, 'ffn_hidden_dim'),
    vocab_size: field(config, 'vocab_size'),
  };
}

/**
 * The token embedding is not counted (a step reads one row of it), nor the caption projection (prefill
 * only). The two CFG rows share each weight read, so weights count once per step, not per row.
 *
 * @example
 * // GPT-B (dim 768, 12 layers, FFN 2048, 16384 codes), fp32: 97.5 M parameters, 390 MB per step;
 * // with a 320-token prefix and 256 image tokens, 66 MB of KV cache read per step on average.
 */
export function decodeBytes(
  shape: GptShape,
  weightBytesPerParameter: number,
  kvBytesPerValue: number,
  kvLength: number,
  prefixLength: number,
  batch = 1,
): DecodeBytes {
  const d = shape.dim;
  const wqkv = (shape.n_head + 2 * shape.kv_heads) * shape.head_dim * d;
  const wo = shape.n_head * shape.head_dim * d;
  const ffn = 3 * shape.ffn_hidden_dim * d;
  const norms = 2 * d;
  const perLayer = wqkv + wo + ffn + norms;
  const weightParameters = shape.n_layer * perLayer + d + shape.vocab_size * d;
  const kvValuesPerSlot = shape.n_layer * 2 * (2 * batch) * shape.kv_heads * shape.head_dim;
  const imageTokens = kvLength - prefixLength;
  return {
    weightBytes: weightParameters * weightBytesPerParameter,
    weightParameters,
    kvCacheBytes: kvValuesPerSlot * kvLength * kvBytesPerValue,
    kvReadBytes: kvValuesPerSlot * (prefixLength + (imageTokens + 1) / 2) * kvBytesPerValue,
  };
}
