import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { runPython, tinyBundle } from '../../../test/fixtures/tiny-bundle';
import { EngineError } from '../errors';
import type { PromptConfig } from './prompt-encoder';
import { PromptEncoder } from './prompt-encoder';

type Case = { prompt: string; nImages: number };
type PythonResult = { ids: number[]; mask: number[] } | { error: string };

// Runs mentor_models.prompt.encode_prompt on each case, with the same tokenizer.json and numbers.
const pythonEncode = `
import json, sys
from tokenizers import Tokenizer
from mentor_models.prompt import PromptError, encode_prompt
job = json.loads(sys.stdin.read())
tokenizer = Tokenizer.from_file(job["tokenizer"])
out = []
for case in job["cases"]:
    try:
        ids, mask = encode_prompt(tokenizer, case["prompt"], case["nImages"], job["tokensPerImage"],
                                  job["prefixLength"], job["imageTokenId"])
        out.append({"ids": ids.tolist(), "mask": mask.tolist()})
    except PromptError as e:
        out.append({"error": str(e)})
print(json.dumps(out))
`;

const budgetPattern = /(\d+ images? × \d+ tokens \+ \d+ text tokens = \d+ > prefix length \d+)/;

let tokenizerFile: string;
let config: PromptConfig;
let encoder: PromptEncoder;

beforeAll(async () => {
  const dir = await tinyBundle();
  tokenizerFile = path.join(dir, 'tokenizer.json');
  const manifest = JSON.parse(fs.readFileSync(path.join(dir, 'manifest.json'), 'utf8')) as { config: PromptConfig };
  config = {
    prefixLength: manifest.config.prefixLength,
    tokensPerImage: manifest.config.tokensPerImage,
    imageTokenId: manifest.config.imageTokenId,
    padTokenId: manifest.config.padTokenId,
  };
  encoder = await PromptEncoder.fromFile(tokenizerFile, config);
}, 180_000);

function encodeOrError(prompt: string, nImages: number): { ids: number[]; mask: number[]; textTokens: number } | { error: EngineError } {
  try {
    const encoded = encoder.encode(prompt, nImages);
    return { ids: Array.from(encoded.inputIds, Number), mask: Array.from(encoded.attentionMask, Number), textTokens: encoded.textTokens };
  } catch (error) {
    if (error instanceof EngineError) {
      return { error };
    }
    throw error;
  }
}

describe('PromptEncoder', () => {
  it('gives the ids and mask of Python encode_prompt on the same tokenizer.json', async () => {
    const cases: Case[] = [
      { prompt: 'A cat in a hat.', nImages: 0 },
      { prompt: 'The dog in <image>.\nA dog on the beach.', nImages: 1 },
      { prompt: 'The cat in <image>.\nThe dog in <image>.\nThey play in the snow.', nImages: 2 },
      { prompt: '<image><image>', nImages: 2 },
      { prompt: 'x<image>y', nImages: 1 },
      { prompt: '(<image>), <image>!', nImages: 2 },
      { prompt: '<image>\n', nImages: 1 },
      { prompt: '  <image>   a   cat  ', nImages: 1 },
      { prompt: "Hello, world! (really?) — yes; it's 16-bit: pixel-art… \"quoted\" [x] {y} #1 @2 $3 %4", nImages: 0 },
      { prompt: 'line one\nline two\r\n\tindented\n\n\nend', nImages: 0 },
      { prompt: '日本語 テスト 😀😀 café naïve ﬁne ＡＢＣ ① Ünïcödé', nImages: 0 },
      { prompt: 'a\u0301 e\u0301 \u00a0nbsp\u2003em\u200bzero', nImages: 0 },
      { prompt: '', nImages: 0 },
      { prompt: '</s> literal <pad> <unk> tokens', nImages: 0 },
      { prompt: 'almost <imag> <image > < image> markers', nImages: 0 },
      { prompt: 'qqqzzzxxx QQQ', nImages: 0 },
      // Around the budget: two images take 32 of the 64 prefix tokens; some of these fit, some do not.
      ...Array.from({ length: 12 }, (_, k) => ({
        prompt: `The cat in <image>. The dog in <image>. ${'red '.repeat(18 + k)}`,
        nImages: 2,
      })),
      { prompt: 'word '.repeat(62), nImages: 0 },
      { prompt: 'word '.repeat(63), nImages: 0 },
      // Errors: markers that do not match the images.
      { prompt: 'The cat in <image>.', nImages: 2 },
      { prompt: 'A cat.', nImages: 1 },
      { prompt: '<image><image><image>', nImages: 2 },
    ];
    const stdout = await runPython(
      pythonEncode,
      [],
      JSON.stringify({ tokenizer: tokenizerFile, cases, ...config }),
    );
    const python = JSON.parse(stdout) as PythonResult[];
    expect(python).toHaveLength(cases.length);

    let fits = 0;
    let tooLong = 0;
    cases.forEach((c, index) => {
      const expected = python[index]!;
      const actual = encodeOrError(c.prompt, c.nImages);
      const label = JSON.stringify(c);
      if ('error' in expected) {
        expect('error' in actual, `${label}: Python refused (${expected.error})`).toBe(true);
        if (!('error' in actual)) {
          return;
        }
        expect(actual.error.code).toBe('prompt_invalid');
        const budget = budgetPattern.exec(expected.error);
        if (budget) {
          tooLong += 1;
          expect(actual.error.message, label).toContain(budget[1]);
        } else {
          expect(expected.error, label).toMatch(/^the prompt has \d+ <image> markers?/);
          expect(actual.error.message, label).toMatch(/^The prompt has \d+ <image> markers? but \d+ reference images?/);
        }
      } else {
        expect('ids' in actual, `${label}: ${'error' in actual ? actual.error.message : ''}`).toBe(true);
        if (!('ids' in actual)) {
          return;
        }
        fits += 1;
        expect(actual.ids, label).toEqual(expected.ids);
        expect(actual.mask, label).toEqual(expected.mask);
        const real = expected.mask.filter((m) => m === 1).length;
        expect(actual.textTokens, label).toBe(real - c.nImages * config.tokensPerImage);
      }
    });
    // The cases cover both sides of the budget.
    expect(fits).toBeGreaterThan(15);
    expect(tooLong).toBeGreaterThan(3);
  }, 60_000);

  it('pads to the prefix length, ends the text with </s>, and counts text tokens', () => {
    const encoded = encoder.encode('The dog in <image>.', 1);
    expect(encoded.inputIds).toHaveLength(config.prefixLength);
    expect(encoded.attentionMask).toHaveLength(config.prefixLength);
    const real = Array.from(encoded.attentionMask).filter((m) => m === 1n).length;
    const ids = Array.from(encoded.inputIds.subarray(0, real), Number);
    expect(ids.filter((id) => id === config.imageTokenId)).toHaveLength(config.tokensPerImage);
    expect(ids.at(-1)).toBe(1); // </s>
    expect(encoded.textTokens).toBe(real - config.tokensPerImage);
    expect(Array.from(encoded.inputIds.subarray(real))).toEqual(new Array(config.prefixLength - real).fill(BigInt(config.padTokenId)));
    expect(Array.from(encoded.attentionMask.subarray(real))).toEqual(new Array(config.prefixLength - real).fill(0n));
  });

  it('refuses markers that do not match the images, with the numbers', () => {
    expect(() => encoder.encode('<image> and <image> and <image>', 2)).toThrow(
      'The prompt has 3 <image> markers but 2 reference images were given; write one <image> for each reference, in order',
    );
    expect(() => encoder.encode('A cat.', 1)).toThrow('The prompt has 0 <image> markers but 1 reference image was given;');
    expect(() => encoder.encode('<image>', 1.5)).toThrow(EngineError);
  });

  it('counts markers and text tokens exactly as encode does, whatever the number of images', () => {
    const prompt = 'The cat in <image>. A cat as a 16-bit pixel-art hero';
    const { markers, textTokens } = encoder.count(prompt);
    expect(markers).toBe(1);
    expect(textTokens).toBe(encoder.encode(prompt, 1).textTokens);
    expect(encoder.count('')).toEqual({ markers: 0, textTokens: 1 }); // only </s>
    // Past the budget, or with markers that match no images, it still counts instead of refusing.
    expect(encoder.count(`<image> <image> <image> ${'red '.repeat(60)}`).markers).toBe(3);
    expect(encoder.count(`${'red '.repeat(60)}`).textTokens).toBeGreaterThan(config.prefixLength);
  });

  it('refuses a prompt over the budget, with the numbers', () => {
    let message = '';
    try {
      encoder.encode(`<image> <image> ${'red '.repeat(39)}`, 2);
    } catch (error) {
      expect((error as EngineError).code).toBe('prompt_invalid');
      message = (error as Error).message;
    }
    expect(message).toMatch(/^The prompt is too long: 2 images × 16 tokens \+ \d+ text tokens = \d+ > prefix length 64$/);
  });

  it('refuses a tokenizer whose <image> is not the manifest imageTokenId special token', () => {
    const json = JSON.parse(fs.readFileSync(tokenizerFile, 'utf8')) as { added_tokens: { content: string; special: boolean }[] };
    expect(() => PromptEncoder.fromJson(json, { ...config, imageTokenId: 7 }, 'tok.json')).toThrow(
      `tok.json: <image> must be a special token with id 7 (config.imageTokenId), but it has id ${config.imageTokenId}`,
    );
    const withoutImage = { ...json, added_tokens: json.added_tokens.filter((t) => t.content !== '<image>') };
    expect(() => PromptEncoder.fromJson(withoutImage, config, 'tok.json')).toThrow(EngineError);
    expect(() => PromptEncoder.fromJson({ nope: true }, config, 'tok.json')).toThrow(/^tok\.json: cannot be read as a tokenizer/);
  });
});
