/**
 * One generation request through the five bundle graphs (BUNDLE.md, "Generating an image"):
 * tokenize → vision → text encoder → prefill → decode, one image row per call → VQ decode.
 *
 * The KV caches stay in JavaScript-owned buffers (KvCaches): each decode call reads them in place and
 * returns only the keys and values of the row it sampled, which are written in before the next call.
 * The row's tokens run inside an ONNX Loop with the sampler in-graph, so nothing crosses the boundary
 * once per token. Between calls the event loop turns, so a cancel message is seen before the next row.
 */
import * as ort from 'onnxruntime-node';
import type { SamplingParams } from '../../../preload/contract';
import { EngineError } from '../errors';
import { loadReference } from '../images/load-reference';
import type { EngineRuntime } from '../runtime/open-runtime';
import type { ReferenceInput, RgbImage } from '../types';
import { uniformsFor } from '../uniforms';
import { checkRequest } from './check-request';
import { KvCaches } from './kv-caches';
import { partialPreview, previewDue } from './preview';
import { StageTimer } from './stage-timer';
import { BoundaryMeter, output, repeatRows, scalarFloat, scalarInt } from './tensors';

export type GenerationRequest = {
  prompt: string;
  references: ReferenceInput[];
  seed: bigint;
  /** Variations in one batch; variation b uses uniforms(seed, image index firstVariation + b). */
  count: number;
  /**
   * The image index of the batch's first variation; default 0. A re-run of variation v alone is a batch
   * of one with firstVariation v: it draws the same uniforms, so it gives the same tokens and pixels.
   */
  firstVariation?: number;
  params: SamplingParams;
  /** Tokens per decode call; default one image row (`grid`). */
  tokensPerCall?: number;
};

export type GenerationProgress = {
  row: number;
  rows: number;
  tokensDone: number;
  tokensTotal: number;
  tokensPerSecond: number;
  etaMs: number;
  /** Variation 0 so far (pending rows grey), at most once per `previewIntervalMs` and within `previewTimeShare` of the time. */
  preview?: RgbImage;
};

export type GenerationHooks = {
  signal?: AbortSignal;
  onProgress?: (progress: GenerationProgress) => void;
  /** Minimum time between previews; 0 = every row, Infinity = none. Default 500 ms. */
  previewIntervalMs?: number;
};

export type GenerationResult = {
  /** Per variation, `grid²` token ids in row-major order. */
  tokens: BigInt64Array[];
  images: RgbImage[];
  /** Milliseconds per stage: tokenize, references, vision, textEncoder, prefill, decode, vqDecode, preview, total. */
  timings: Record<string, number>;
  /**
   * Bytes passed into and returned from onnxruntime over the whole generation. onnxruntime-node reads
   * inputs in place (the caches, every decode call) and copies outputs into new buffers.
   */
  boundaryBytes: number;
};

export async function generate(runtime: EngineRuntime, request: GenerationRequest, hooks: GenerationHooks = {}): Promise<GenerationResult> {
  const started = performance.now();
  const { config } = runtime.bundle.manifest;
  checkRequest(request, config.codebookSize);
  const timer = new StageTimer();
  const meter = new BoundaryMeter();
  const { sessions } = runtime;
  const batch = request.count;
  const prefix = config.prefixLength;
  const width = config.encoderWidth;
  const rows = config.grid;
  const total = config.grid * config.grid;
  const perCall = request.tokensPerCall ?? config.grid;
  const firstVariation = request.firstVariation ?? 0;
  throwIfCancelled(hooks.signal);

  const prompt = await timer.time('tokenize', () => runtime.prompt.encode(request.prompt, request.references.length));
  const pixels = await timer.time('references', () =>
    Promise.all(request.references.map((reference) => loadReference(reference, config.preprocess))),
  );
  throwIfCancelled(hooks.signal);

  // One sample's image embeddings [M, D]: its references' rows in marker order (M ≥ 1, BUNDLE.md).
  let imageRows = 1;
  let imageEmbeds: Float32Array = new Float32Array(width);
  if (pixels.length > 0) {
    const size = config.preprocess.size;
    const stacked = new Float32Array(pixels.length * 3 * size * size);
    pixels.forEach((image, i) => stacked.set(image, i * image.length));
    const out = await timer.time('vision', () =>
      meter.run(sessions.vision, { pixels: new ort.Tensor('float32', stacked, [pixels.length, 3, size, size]) }),
    );
    imageEmbeds = output(out, 'image_embeds', 'vision.onnx').data as Float32Array;
    imageRows = imageEmbeds.length / width;
  }

  const ids = new ort.Tensor('int64', repeatRows(prompt.inputIds, batch), [batch, prefix]);
  const mask = new ort.Tensor('int64', repeatRows(prompt.attentionMask, batch), [batch, prefix]);
  const encoded = await timer.time('textEncoder', () =>
    meter.run(sessions.textEncoder, {
      input_ids: ids,
      attention_mask: mask,
      image_embeds: new ort.Tensor('float32', repeatRows(imageEmbeds, batch), [batch, imageRows, width]),
    }),
  );
  const prefill = await timer.time('prefill', () =>
    meter.run(sessions.prefill, { encoder_states: output(encoded, 'encoder_states', 'text_encoder.onnx'), attention_mask: mask }),
  );
  let logits = output(prefill, 'logits', 'prefill.onnx');
  const prefixMask = output(prefill, 'prefix_mask', 'prefill.onnx');
  const caches = new KvCaches(prefill, config.gpt.n_layer);

  const tokens = Array.from({ length: batch }, () => new BigInt64Array(total));
  const sampling = {
    cfg_scale: scalarFloat(request.params.cfgScale),
    temperature: scalarFloat(request.params.temperature),
    top_k: scalarInt(request.params.topK),
    top_p: scalarFloat(request.params.topP),
  };
  const decodeStarted = performance.now();
  let lastPreview = -Infinity;
  let previewMs = 0;
  // The final VQ decode belongs in the ETA: 2.4 s for a 256 px image on 2 CPU cores. Its cost per
  // image comes from this generation's last preview, else from the runtime's last generation.
  let vqMsPerImage = learnedVqMsPerImage.get(runtime) ?? 0;
  for (let start = 0; start < total; start += perCall) {
    throwIfCancelled(hooks.signal);
    const count = Math.min(perCall, total - start);
    const uniforms = new Float32Array(batch * count);
    for (let b = 0; b < batch; b++) {
      uniforms.set(uniformsFor(request.seed, firstVariation + b, start, count), b * count);
    }
    const out = await timer.time('decode', () =>
      meter.run(sessions.decode, {
        logits,
        prefix_mask: prefixMask,
        start_index: scalarInt(start),
        uniforms: new ort.Tensor('float32', uniforms, [batch, count]),
        ...sampling,
        ...caches.feeds,
      }),
    );
    const sampled = output(out, 'tokens', 'decode.onnx').data as BigInt64Array;
    for (let b = 0; b < batch; b++) {
      tokens[b]!.set(sampled.subarray(b * count, (b + 1) * count), start);
    }
    logits = output(out, 'logits_out', 'decode.onnx');
    caches.write(out, prefix + start);

    const done = start + count;
    if (hooks.onProgress !== undefined) {
      const elapsed = performance.now() - decodeStarted;
      const tokensPerSecond = (done * batch) / Math.max(elapsed / 1000, 1e-9);
      const progress: GenerationProgress = {
        row: Math.floor((done - 1) / config.grid),
        rows,
        tokensDone: done,
        tokensTotal: total,
        tokensPerSecond,
        etaMs: ((total - done) * batch * 1000) / Math.max(tokensPerSecond, 1e-9) + vqMsPerImage * batch,
      };
      const now = performance.now();
      const intervalMs = hooks.previewIntervalMs ?? 500;
      if (done < total && previewDue({ now, decodeStarted, lastPreview, previewMs, intervalMs })) {
        lastPreview = now;
        progress.preview = await timer.time('preview', () => partialPreview(sessions.vqDecode, tokens[0]!, done, config));
        vqMsPerImage = performance.now() - now;
        previewMs += vqMsPerImage;
      }
      hooks.onProgress(progress);
    }
    // Let the event loop run: a cancel arriving during the row is handled before the next one.
    await new Promise((resolve) => setImmediate(resolve));
  }
  throwIfCancelled(hooks.signal);

  const grid = new BigInt64Array(batch * total);
  tokens.forEach((row, b) => grid.set(row, b * total));
  const decoded = await timer.time('vqDecode', () =>
    meter.run(sessions.vqDecode, { tokens: new ort.Tensor('int64', grid, [batch, total]) }),
  );
  learnedVqMsPerImage.set(runtime, (timer.totals.vqDecode ?? 0) / batch);
  const pixelsOut = output(decoded, 'image', 'vq_decode.onnx').data as Uint8Array;
  const side = config.imageSize;
  const images = tokens.map((_, b) => ({
    width: side,
    height: side,
    data: pixelsOut.slice(b * side * side * 3, (b + 1) * side * side * 3),
  }));
  const timings = { ...timer.totals, total: performance.now() - started };
  return { tokens, images, timings, boundaryBytes: meter.bytes };
}

/** The last final VQ decode's time per image, per runtime (for the ETA of the next generation). */
const learnedVqMsPerImage = new WeakMap<EngineRuntime, number>();

function throwIfCancelled(signal: AbortSignal | undefined): void {
  if (signal?.aborted === true) {
    throw new EngineError('cancelled', 'Cancelled');
  }
}
