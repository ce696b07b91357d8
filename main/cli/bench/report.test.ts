import { describe, expect, it } from 'vitest';
import { decodeBytes, gptShape, weightBytesPerParameter } from './decode-bytes';
import type { BundleSummary } from './report';
import { agreement, bundleTable, median, medianStages, ratio } from './report';

describe('decodeBytes', () => {
  it('counts GPT-B-sized weights read per step: layers, final norm and head, not the token embedding', () => {
    // The b bundle's gpt config (configs.py GPT-B-256 with a 320-token prefix).
    const shape = gptShape({ dim: 768, n_layer: 12, n_head: 12, kv_heads: 12, head_dim: 64, ffn_hidden_dim: 2048, vocab_size: 16384 });
    const bytes = decodeBytes(shape, 4, 4, 576, 320);
    expect(bytes.weightParameters).toBe(12 * (3 * 768 * 768 + 768 * 768 + 3 * 2048 * 768 + 2 * 768) + 768 + 16384 * 768);
    expect(bytes.weightBytes / 1e6).toBeCloseTo(390.0, 0);
    // [L=12, 2, 2B=2, H=12, S=576, Dh=64] float32
    expect(bytes.kvCacheBytes).toBe(12 * 2 * 2 * 12 * 576 * 64 * 4);
    // On average a step attends to the 320 prefix slots and (256 + 1) / 2 image slots.
    expect(bytes.kvReadBytes).toBe(12 * 2 * 2 * 12 * (320 + 128.5) * 64 * 4);
  });

  it('counts quantized weights with their fp32 scale per block of 32', () => {
    expect(weightBytesPerParameter('fp32')).toBe(4);
    expect(weightBytesPerParameter('fp16')).toBe(2);
    expect(weightBytesPerParameter('int8')).toBe(1.125);
    expect(weightBytesPerParameter('int4')).toBe(0.625);
  });

  it('refuses a config without the sizes', () => {
    expect(() => gptShape({ dim: 768 })).toThrow(/config.gpt.n_layer/);
  });
});

describe('summary helpers', () => {
  it('medians', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 2, 3])).toBe(2.5);
    expect(median([])).toBeNaN();
    expect(medianStages([{ decode: 10, total: 20 }, { decode: 30, total: 10 }, { decode: 20, total: 30 }])).toEqual({ decode: 20, total: 20 });
  });

  it('compares token sequences', () => {
    expect(agreement([1, 2, 3], [1, 2, 3, 4])).toBe('all 3 compared equal');
    expect(agreement([1, 2, 3], [1, 5, 3])).toBe('first 1 equal, differ from token 1 (of 3 compared)');
    expect(agreement([], [1])).toBe('nothing to compare');
  });

  it('ratios only of measured numbers', () => {
    expect(ratio(30, 10)).toBe(3);
    expect(ratio(null, 10)).toBeNull();
    expect(ratio(10, 0)).toBeNull();
  });

  it('prints a table with verdicts against the targets', () => {
    const summary: BundleSummary = {
      config: 'b',
      description: 'test',
      tokens: 256,
      weightBytes: 390e6,
      kvCacheBytes: 85e6,
      kvReadBytes: 66e6,
      floorMsPerToken: 20,
      columns: [
        { label: 'TS engine', stageMs: { decode: 10_240, total: 12_000 }, decodeMsPerToken: 40, decodeMsPerTokenMean: 42, decodeNote: null, peakRssBytes: 2e9, boundaryBytesPerImage: 1.4e9 },
        { label: 'PyTorch eager', stageMs: { prefill: 2000 }, decodeMsPerToken: 400, decodeMsPerTokenMean: 410, decodeNote: 'tokens 5–52 of 256', peakRssBytes: null, boundaryBytesPerImage: null },
      ],
      ratios: { vsPythonLoop: 1.2, vsSameGraphLoop: 1.1, vsTorchEager: 10, stepOverFloor: 2 },
      tokenAgreement: ['TS vs PyTorch: all 48 compared equal'],
      profile: { tokensPerCall: 16, runMsPerToken: 120, opsMsPerToken: 110, kernelsPerToken: 1394, ops: [{ op: 'Split', msPerToken: 31.7, callsPerToken: 73 }] },
    };
    const text = bundleTable(summary).join('\n');
    expect(text).toContain('decode ms / token');
    expect(text).toMatch(/decode ms \/ token, median call\s+40\.0\s+400/);
    expect(text).toMatch(/decode ms \/ token, mean\s+42\.0\s+410/);
    expect(text).toContain('MISSED by 1.25× (target ≥ 1.5×)');
    expect(text).toMatch(/decode\.onnx 1 token per call:\s+1\.10×\s+\(same graph; no target\)/);
    expect(text).toContain('met (target ≥ 2×)');
    expect(text).toContain('MISSED by 1.33× (target ≤ 1.5×)');
    expect(text).toContain('PyTorch eager: decode measured over tokens 5–52 of 256');
    expect(text).toContain('Split 31.7 (73×)');
  });
});
