/**
 * Prompt → token ids and mask for text_encoder.onnx, exactly as native-models/mentor_models/prompt.py
 * `encode_prompt` does it (the parity test runs both on the same tokenizer.json):
 * each `<image>` marker becomes tokensPerImage copies of the `<image>` token, the text is tokenized with
 * the bundle's tokenizer.json (its post-processor appends `</s>`; no truncation, no padding), the prompt
 * must fit the prefix, and the ids are right-padded to prefixLength.
 */
import fs from 'node:fs';
import { Tokenizer } from '@huggingface/tokenizers';
import { EngineError } from '../errors';
import { countImageMarkers, imageMarker, markerMismatchProblem, promptTooLongProblem } from './prompt-problems';

/** The marker users write, and the tokenizer's special token it expands to (one text for both). */
export const imageToken = imageMarker;

export type PromptConfig = {
  prefixLength: number;
  tokensPerImage: number;
  imageTokenId: number;
  padTokenId: number;
};

export type EncodedPrompt = {
  /** [prefixLength] ids, right-padded with padTokenId. */
  inputIds: BigInt64Array;
  /** [prefixLength], 1 for the real tokens (`</s>` included), 0 for padding. */
  attentionMask: BigInt64Array;
  /** Tokens that are not image placeholders, `</s>` included. */
  textTokens: number;
};

function plural(n: number, word: string): string {
  return n === 1 ? `${n} ${word}` : `${n} ${word}s`;
}

export class PromptEncoder {
  private constructor(
    private readonly tokenizer: Tokenizer,
    readonly config: PromptConfig,
  ) {}

  /**
   * A tokenizer.json already parsed. `source` names it in messages. Throws EngineError('bundle_invalid')
   * when the file is not a tokenizer this library reads, or when `<image>` is not its special token with
   * id `config.imageTokenId`.
   */
  static fromJson(json: unknown, config: PromptConfig, source = 'tokenizer.json'): PromptEncoder {
    let tokenizer: Tokenizer;
    try {
      // The second argument is tokenizer_config.json, which bundles do not carry: every option it holds
      // (eos_token for Unigram's lattice, remove_space, lowercasing) defaults to what Python does.
      tokenizer = new Tokenizer(json as object, {});
    } catch (error) {
      throw new EngineError(
        'bundle_invalid',
        `${source}: cannot be read as a tokenizer (${error instanceof Error ? error.message : String(error)})`,
      );
    }
    const added = tokenizer.get_added_tokens_decoder().get(config.imageTokenId);
    if (added?.content !== imageToken || !added.special) {
      const actual = tokenizer.token_to_id(imageToken);
      throw new EngineError(
        'bundle_invalid',
        `${source}: ${imageToken} must be a special token with id ${config.imageTokenId} (config.imageTokenId), ` +
          `but ${actual === undefined ? 'it is not in the vocabulary' : `it has id ${actual}${added?.special === false ? ' and is not special' : ''}`}`,
      );
    }
    return new PromptEncoder(tokenizer, config);
  }

  /** Reads tokenizer.json from disk (see fromJson). */
  static async fromFile(file: string, config: PromptConfig): Promise<PromptEncoder> {
    let json: unknown;
    try {
      json = JSON.parse(await fs.promises.readFile(file, 'utf8'));
    } catch (error) {
      throw new EngineError('bundle_invalid', `${file}: ${error instanceof Error ? error.message : String(error)}`);
    }
    return PromptEncoder.fromJson(json, config, file);
  }

  /**
   * Ids and mask for `prompt` with `nImages` reference images. Throws EngineError('prompt_invalid') when
   * the `<image>` markers are not one per image or the prompt does not fit the prefix, with the numbers.
   */
  encode(prompt: string, nImages: number): EncodedPrompt {
    const { prefixLength, tokensPerImage, imageTokenId, padTokenId } = this.config;
    if (typeof prompt !== 'string') {
      throw new EngineError('prompt_invalid', `The prompt must be text, got ${typeof prompt}`);
    }
    if (!Number.isInteger(nImages) || nImages < 0) {
      throw new EngineError('prompt_invalid', `The number of reference images must be a whole number ≥ 0, got ${nImages}`);
    }
    const markers = countImageMarkers(prompt);
    if (markers !== nImages) {
      throw new EngineError('prompt_invalid', markerMismatchProblem(markers, nImages));
    }
    const { ids, imageIds } = this.tokenize(prompt);
    const expectedImageIds = nImages * tokensPerImage;
    if (imageIds !== expectedImageIds) {
      // Only a tokenizer without <image> as a special token gets here (fromJson checks that).
      throw new EngineError(
        'prompt_invalid',
        `The tokenized prompt has ${imageIds} image tokens (id ${imageTokenId}), expected ` +
          `${plural(nImages, 'image')} × ${tokensPerImage} = ${expectedImageIds}`,
      );
    }
    const textTokens = ids.length - imageIds;
    if (expectedImageIds + textTokens > prefixLength) {
      throw new EngineError('prompt_invalid', promptTooLongProblem(nImages, tokensPerImage, textTokens, prefixLength));
    }

    const inputIds = new BigInt64Array(prefixLength).fill(BigInt(padTokenId));
    const attentionMask = new BigInt64Array(prefixLength);
    ids.forEach((id, index) => {
      inputIds[index] = BigInt(id);
      attentionMask[index] = 1n;
    });
    return { inputIds, attentionMask, textTokens };
  }

  /**
   * The prompt's `<image>` markers and text tokens (`</s>` included) as `encode` counts them, without
   * checking them against any number of images or the prefix: what the composer's budget meter shows
   * while the user types (see prompt-problems.ts for the verdict).
   */
  count(prompt: string): { markers: number; textTokens: number } {
    const { ids, imageIds } = this.tokenize(prompt);
    return { markers: countImageMarkers(prompt), textTokens: ids.length - imageIds };
  }

  /** Each marker becomes tokensPerImage image tokens; then the bundle's tokenizer, `</s>` appended. */
  private tokenize(prompt: string): { ids: number[]; imageIds: number } {
    const { tokensPerImage, imageTokenId } = this.config;
    const expanded = prompt.split(imageToken).join(imageToken.repeat(tokensPerImage));
    const ids = this.tokenizer.encode(expanded, { add_special_tokens: true }).ids;
    return { ids, imageIds: ids.reduce((count, id) => count + (id === imageTokenId ? 1 : 0), 0) };
  }
}
