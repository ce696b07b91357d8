import { describe, expect, it } from 'vitest';
import { EngineError } from '../errors';
import { bundlePathProblem, parseManifest } from './manifest-schema';

/** A valid version-2 manifest (the shape the tiny export writes, shortened). */
function manifest(): Record<string, unknown> {
  return {
    format: 'mentor-bundle',
    formatVersion: 2,
    name: 'tiny',
    createdAt: '2026-11-26T08:03:54Z',
    exporter: { name: 'mentor_models.export', version: '0.1.0', opset: 17 },
    precision: 'fp32',
    graphPrecision: { vision: 'fp32', textEncoder: 'fp32', prefill: 'fp32', decode: 'fp32', vqDecode: 'fp32' },
    kvDtype: 'float32',
    config: {
      imageSize: 32,
      grid: 8,
      codebookSize: 512,
      prefixLength: 64,
      encoderWidth: 48,
      tokensPerImage: 16,
      imageTokenId: 511,
      padTokenId: 0,
      eosTokenId: 1,
      ropeVariant: 'mentor',
      kvCacheLength: 128,
      gpt: { n_layer: 3, kv_heads: 4, head_dim: 16, dim: 64 },
      encoder: {},
      vq: {},
      preprocess: {
        size: 32,
        squashToSquare: true,
        resize: 'bicubic',
        crop: 'center',
        rescale: 1 / 255,
        mean: [0.48, 0.45, 0.4],
        std: [0.26, 0.26, 0.27],
        layout: 'NCHW',
      },
    },
    sampling: { cfgScale: 7.5, temperature: 0.9, topK: 0, topP: 1 },
    graphs: { vision: 'vision.onnx', textEncoder: 'text_encoder.onnx', prefill: 'prefill.onnx', decode: 'decode.onnx', vqDecode: 'vq_decode.onnx' },
    tokenizer: 'tokenizer.json',
    files: [{ path: 'decode.onnx', sha256: 'a'.repeat(64), bytes: 10 }],
    sources: [{ role: 'random-init', seed: 0 }],
  };
}

function problem(value: unknown): string {
  try {
    parseManifest(value, '/b/manifest.json');
  } catch (error) {
    expect(error).toBeInstanceOf(EngineError);
    expect((error as EngineError).code).toBe('bundle_invalid');
    return (error as EngineError).message;
  }
  throw new Error('expected parseManifest to throw');
}

describe('parseManifest', () => {
  it('accepts a version-2 manifest and keeps the architecture configs as they are', () => {
    const parsed = parseManifest(manifest(), 'm');
    expect(parsed.config.gpt).toEqual({ n_layer: 3, kv_heads: 4, head_dim: 16, dim: 64 });
    expect(parsed.config.preprocess.mean).toEqual([0.48, 0.45, 0.4]);
    expect(parsed.notes).toBeUndefined();
  });

  it('refuses another formatVersion with the version and what to do in the message, before looking at other fields', () => {
    // Format 1 carried the KV cache as one tensor through an ONNX Loop: its graphs have other inputs.
    expect(problem({ ...manifest(), formatVersion: 1, config: 'old layout' })).toBe(
      '/b/manifest.json: formatVersion 1 is an older bundle format (this build reads 2); ' +
        're-export the bundle with this version: python -m mentor_models.export … --out NEW_FOLDER',
    );
    expect(problem({ ...manifest(), formatVersion: 3, config: 'new layout' })).toBe(
      '/b/manifest.json: formatVersion 3 is newer than this build reads (2); update MENTOR Studio',
    );
    expect(problem({ ...manifest(), formatVersion: '2' })).toContain('formatVersion "2" is not supported by this build (reads 2)');
    expect(problem({ ...manifest(), formatVersion: undefined })).toContain('formatVersion (missing) is not supported');
  });

  it('needs the GPT sizes that name and shape the KV caches', () => {
    const value = manifest();
    (value.config as Record<string, unknown>).gpt = { n_layer: 0, head_dim: 16 };
    const message = problem(value);
    expect(message).toContain('config.gpt.n_layer: ');
    expect(message).toContain('config.gpt.kv_heads: ');
  });

  it('refuses something that is not a MENTOR bundle', () => {
    expect(problem({ ...manifest(), format: 'other' })).toContain('format: expected "mentor-bundle", got "other"');
    expect(problem([1, 2])).toBe('/b/manifest.json: expected a JSON object');
  });

  it('names each bad field with its path', () => {
    const value = manifest();
    (value.config as Record<string, unknown>).prefixLength = -1;
    (value.files as Record<string, unknown>[])[0]!.sha256 = 'XYZ';
    const message = problem(value);
    expect(message).toMatch(/^\/b\/manifest\.json: /);
    expect(message).toContain('config.prefixLength: ');
    expect(message).toContain('files[0].sha256: expected a sha256');
  });

  it('checks kvCacheLength = prefixLength + grid²', () => {
    const value = manifest();
    (value.config as Record<string, unknown>).kvCacheLength = 100;
    expect(problem(value)).toContain('config.kvCacheLength: 100 is not prefixLength + grid² = 64 + 8² = 128');
  });

  it('refuses paths that leave the folder, wherever they appear', () => {
    const value = manifest();
    (value.files as Record<string, unknown>[])[0]!.path = '../decode.onnx';
    (value.graphs as Record<string, unknown>).prefill = '/etc/prefill.onnx';
    value.tokenizer = 'C:\\x\\tokenizer.json';
    const message = problem(value);
    expect(message).toContain('files[0].path: "../decode.onnx" leaves the bundle folder');
    expect(message).toContain('graphs.prefill: "/etc/prefill.onnx" is absolute');
    expect(message).toContain('tokenizer: "C:\\\\x\\\\tokenizer.json" is absolute');
  });

  it('refuses a file listed twice, or the manifest listing itself', () => {
    const value = manifest();
    const files = value.files as Record<string, unknown>[];
    files.push({ ...files[0] }, { path: 'manifest.json', sha256: 'b'.repeat(64), bytes: 1 });
    const message = problem(value);
    expect(message).toContain('files[1].path: decode.onnx is listed twice');
    expect(message).toContain('files[2].path: manifest.json cannot list itself');
  });
});

describe('bundlePathProblem', () => {
  it.each([
    ['decode.onnx', null],
    ['weights/decode.onnx.data', null],
    ['..', 'leaves'],
    ['a/../../b', 'leaves'],
    ['a\\..\\b', 'leaves'],
    ['/abs', 'absolute'],
    ['\\\\server\\share', 'absolute'],
    ['D:file', 'absolute'],
    ['./x', 'not a plain relative path'],
    ['a//b', 'not a plain relative path'],
    ['a\0b', 'NUL'],
  ])('%j', (value, expected) => {
    const result = bundlePathProblem(value);
    if (expected === null) {
      expect(result).toBeNull();
    } else {
      expect(result).toContain(expected);
    }
  });
});
