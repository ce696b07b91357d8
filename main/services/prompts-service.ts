import type { Model, PromptMeasure } from '../../preload/contract';
import { loadBundle } from '../engine/bundle/load-bundle';
import { isEngineError } from '../engine/errors';
import { PromptEncoder } from '../engine/prompt/prompt-encoder';
import { promptProblem } from '../engine/prompt/prompt-problems';
import type { ModelsRepository } from '../library/models-repository';
import type { StudioServices } from './router';
import { StudioFailure } from './studio-failure';

type PromptsService = Pick<StudioServices, 'prompts:measure'>;

/** Reads a model's tokenizer; the default opens its bundle folder (sizes checked, not hashes). */
export type EncoderLoader = (model: Model) => Promise<PromptEncoder>;

export type PromptsServiceOptions = {
  loadEncoder?: EncoderLoader;
  /** How many models' tokenizers stay loaded (the FlanT5 one is a few MB of JSON to parse). */
  cachedModels?: number;
};

/**
 * The composer's token meter. It counts with the bundle's own tokenizer through the engine's
 * PromptEncoder, so the meter and the engine can never disagree about a prompt. Loading a tokenizer
 * takes a moment; it is kept per model, so a keystroke costs a tokenization only (milliseconds).
 */
export function createPromptsService(models: Pick<ModelsRepository, 'get'>, options: PromptsServiceOptions = {}): PromptsService {
  const loadEncoder = options.loadEncoder ?? loadBundleEncoder;
  const limit = options.cachedModels ?? 4;
  // Keyed by model id; the entry also remembers which bundle it was read from, so a model whose
  // folder was moved or re-imported is read again.
  const cache = new Map<string, { bundleKey: string; encoder: Promise<PromptEncoder> }>();

  const encoderFor = (model: Model): Promise<PromptEncoder> => {
    const bundleKey = `${model.path}\0${model.bundleSha256}`;
    const cached = cache.get(model.id);
    if (cached?.bundleKey === bundleKey) {
      // Most recently used goes last, so the first entry is the one to drop.
      cache.delete(model.id);
      cache.set(model.id, cached);
      return cached.encoder;
    }
    const encoder = loadEncoder(model);
    cache.set(model.id, { bundleKey, encoder });
    // A failed read is not kept: the user may fix the folder and type again.
    encoder.catch(() => {
      if (cache.get(model.id)?.encoder === encoder) {
        cache.delete(model.id);
      }
    });
    while (cache.size > limit) {
      cache.delete(cache.keys().next().value as string);
    }
    return encoder;
  };

  return {
    'prompts:measure': async ({ modelId, prompt, referenceCount }): Promise<PromptMeasure> => {
      const model = models.get(modelId);
      let encoder: PromptEncoder;
      try {
        encoder = await encoderFor(model);
      } catch (error) {
        if (isEngineError(error) && error.code === 'bundle_invalid') {
          throw new StudioFailure('bundle_invalid', `${model.name}: ${error.message}`);
        }
        throw error;
      }
      const { markers, textTokens } = encoder.count(prompt);
      const imageTokens = markers * model.tokensPerImage;
      return {
        markers,
        textTokens,
        imageTokens,
        totalTokens: imageTokens + textTokens,
        prefixLength: model.prefixLength,
        problem: promptProblem({
          markers,
          references: referenceCount,
          textTokens,
          tokensPerImage: model.tokensPerImage,
          prefixLength: model.prefixLength,
          modelName: model.name,
        }),
      };
    },
  };
}

/** The tokenizer of the model's bundle, with the manifest's token ids; refuses a bundle changed since import. */
export async function loadBundleEncoder(model: Model): Promise<PromptEncoder> {
  // Sizes only: hashing gigabytes of graphs to count tokens would take minutes; the engine hashes before it runs.
  const bundle = await loadBundle(model.path, { verify: false });
  if (bundle.bundleSha256 !== model.bundleSha256) {
    throw new StudioFailure(
      'bundle_invalid',
      `${model.name}: the bundle in ${model.path} is not the one that was imported (its manifest changed); import it again`,
    );
  }
  const { config } = bundle.manifest;
  return PromptEncoder.fromFile(bundle.tokenizerPath, {
    prefixLength: config.prefixLength,
    tokensPerImage: config.tokensPerImage,
    imageTokenId: config.imageTokenId,
    padTokenId: config.padTokenId,
  });
}
