/**
 * The per-layer KV caches of one generation (BUNDLE.md format 2): prefill.onnx returns them, every
 * decode.onnx call reads them and returns only the keys and values of the tokens it fed (`new_kv`),
 * which are written in here. onnxruntime-node reads input tensors in place (an 85 MB input costs
 * 0.05 ms to pass, measured), while every output is copied into a new buffer (85 MB ≈ 100 ms): so the
 * caches go in by reference each call and only a row's worth of keys and values comes out.
 */
import type * as ort from 'onnxruntime-node';
import { cacheNames } from '../bundle/graph-io';
import { output } from './tensors';

type CacheData = Float32Array | Uint16Array;

export class KvCaches {
  /** Input tensors by name; their data is written in place by `write`. */
  readonly feeds: Record<string, ort.Tensor>;
  private readonly data: CacheData[];
  private readonly rows: number;
  private readonly heads: number;
  private readonly slots: number;
  private readonly headDim: number;

  /** Takes the caches from prefill.onnx's outputs; `layers` = manifest config.gpt.n_layer. */
  constructor(prefill: ort.InferenceSession.ReturnType, layers: number) {
    const names = cacheNames(layers);
    this.feeds = Object.fromEntries(names.map((name) => [name, output(prefill, name, 'prefill.onnx')]));
    const first = this.feeds[names[0]!]!;
    const [rows, heads, slots, headDim] = first.dims;
    if (first.dims.length !== 4 || rows === undefined || heads === undefined || slots === undefined || headDim === undefined) {
      throw new Error(`prefill.onnx returned ${names[0]} with dims [${first.dims.join(', ')}], expected [2B, H, S, Dh]`);
    }
    this.rows = rows;
    this.heads = heads;
    this.slots = slots;
    this.headDim = headDim;
    this.data = names.map((name) => {
      const tensor = this.feeds[name]!;
      if (tensor.dims.join() !== first.dims.join()) {
        throw new Error(`prefill.onnx returned ${name} with dims [${tensor.dims.join(', ')}], unlike ${names[0]} [${first.dims.join(', ')}]`);
      }
      return tensor.data as CacheData;
    });
  }

  /** Bytes of all caches together. */
  get bytes(): number {
    return this.data.reduce((sum, data) => sum + data.byteLength, 0);
  }

  /**
   * Writes decode.onnx's `new_kv` [2L, 2B, H, K, Dh] (the caches' order) into slots firstSlot ..
   * firstSlot + K - 1 of each cache [2B, H, S, Dh].
   */
  write(decoded: ort.InferenceSession.ReturnType, firstSlot: number): void {
    const newKv = output(decoded, 'new_kv', 'decode.onnx');
    const [caches, rows, heads, count, headDim] = newKv.dims;
    if (caches !== this.data.length || rows !== this.rows || heads !== this.heads || headDim !== this.headDim || count === undefined) {
      throw new Error(
        `decode.onnx returned new_kv with dims [${newKv.dims.join(', ')}], expected [${this.data.length}, ${this.rows}, ${this.heads}, K, ${this.headDim}]`,
      );
    }
    if (firstSlot < 0 || firstSlot + count > this.slots) {
      throw new Error(`decode.onnx returned ${count} slots at ${firstSlot}, past the cache's ${this.slots}`);
    }
    const source = newKv.data as CacheData;
    const run = count * this.headDim; // one (row, head)'s new slots: contiguous in both layouts
    let from = 0;
    this.data.forEach((cache) => {
      for (let r = 0; r < this.rows; r++) {
        for (let h = 0; h < this.heads; h++) {
          const to = ((r * this.heads + h) * this.slots + firstSlot) * this.headDim;
          cache.set(source.subarray(from, from + run), to);
          from += run;
        }
      }
    });
  }
}
