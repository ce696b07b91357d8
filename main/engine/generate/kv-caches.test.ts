import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { KvCaches } from './kv-caches';

// 2 layers → 4 caches of [R=2, H=3, S=5, Dh=2]; a decode call of K=2 tokens writes slots 3 and 4.
const [layers, rows, heads, slots, headDim] = [2, 2, 3, 5, 2];

function prefill(): ort.InferenceSession.ReturnType {
  const out: Record<string, ort.Tensor> = {};
  for (let i = 0; i < layers; i++) {
    for (const kind of ['key', 'value']) {
      out[`${kind}_cache_${i}`] = new ort.Tensor('float32', new Float32Array(rows * heads * slots * headDim), [rows, heads, slots, headDim]);
    }
  }
  return out;
}

/** new_kv whose every value encodes where it belongs: cache c, row r, head h, new slot k, channel d. */
function decoded(count: number): ort.InferenceSession.ReturnType {
  const data = new Float32Array(2 * layers * rows * heads * count * headDim);
  let i = 0;
  for (let c = 0; c < 2 * layers; c++) {
    for (let r = 0; r < rows; r++) {
      for (let h = 0; h < heads; h++) {
        for (let k = 0; k < count; k++) {
          for (let d = 0; d < headDim; d++) {
            data[i++] = 10000 * (c + 1) + 1000 * r + 100 * h + 10 * k + d;
          }
        }
      }
    }
  }
  return { new_kv: new ort.Tensor('float32', data, [2 * layers, rows, heads, count, headDim]) };
}

describe('KvCaches', () => {
  it('feeds the prefill caches by reference and writes each new row into its own slots only', () => {
    const out = prefill();
    const caches = new KvCaches(out, layers);
    expect(Object.keys(caches.feeds)).toEqual(['key_cache_0', 'value_cache_0', 'key_cache_1', 'value_cache_1']);
    expect(caches.feeds.value_cache_1).toBe(out.value_cache_1);
    expect(caches.bytes).toBe(4 * rows * heads * slots * headDim * 4);

    caches.write(decoded(2), 3);
    const names = Object.keys(caches.feeds);
    names.forEach((name, c) => {
      const data = caches.feeds[name]!.data as Float32Array;
      for (let r = 0; r < rows; r++) {
        for (let h = 0; h < heads; h++) {
          for (let s = 0; s < slots; s++) {
            for (let d = 0; d < headDim; d++) {
              const value = data[((r * heads + h) * slots + s) * headDim + d];
              const want = s < 3 ? 0 : 10000 * (c + 1) + 1000 * r + 100 * h + 10 * (s - 3) + d;
              expect(value, `${name} row ${r} head ${h} slot ${s} channel ${d}`).toBe(want);
            }
          }
        }
      }
    });
  });

  it('refuses a new_kv that does not fit the caches, saying why', () => {
    const caches = new KvCaches(prefill(), layers);
    expect(() => caches.write(decoded(3), 3)).toThrow('decode.onnx returned 3 slots at 3, past the cache\'s 5');
    const wrong = { new_kv: new ort.Tensor('float32', new Float32Array(2 * rows * heads * 2 * headDim), [2, rows, heads, 2, headDim]) };
    expect(() => caches.write(wrong, 0)).toThrow('decode.onnx returned new_kv with dims [2, 2, 3, 2, 2], expected [4, 2, 3, K, 2]');
  });

  it('names a cache that prefill did not return', () => {
    expect(() => new KvCaches(prefill(), 3)).toThrow("prefill.onnx returned no 'key_cache_2' output");
  });
});
