import { describe, expect, it } from 'vitest';
import { countImageMarkers, promptProblem, type PromptCount } from './prompt-problems';

// The tiny model's numbers: 64 prompt tokens, 16 per reference image.
const tiny: PromptCount = { markers: 1, references: 1, textTokens: 10, tokensPerImage: 16, prefixLength: 64, modelName: 'gpt-tiny-random-init' };

describe('prompt problems', () => {
  it('counts markers left to right without overlap', () => {
    expect(countImageMarkers('no images')).toBe(0);
    expect(countImageMarkers('<image><image> and <image>')).toBe(3);
    expect(countImageMarkers('<image<image>>')).toBe(1);
  });

  it('has none for a prompt that fits, up to exactly the prefix', () => {
    expect(promptProblem(tiny)).toBeNull();
    expect(promptProblem({ ...tiny, textTokens: 48 })).toBeNull();
  });

  it('names markers that do not match the references, singular and plural', () => {
    expect(promptProblem({ ...tiny, markers: 2 })).toBe(
      'The prompt has 2 <image> markers but 1 reference image was given; write one <image> for each reference, in order',
    );
    expect(promptProblem({ ...tiny, markers: 1, references: 0 })).toBe(
      'The prompt has 1 <image> marker but 0 reference images were given; write one <image> for each reference, in order',
    );
  });

  it('says when the images alone leave no room for the text', () => {
    expect(promptProblem({ ...tiny, markers: 4, references: 4, textTokens: 1 })).toBe(
      '4 reference images take 64 of the 64 prompt tokens gpt-tiny-random-init allows (16 each), leaving none for the text; use fewer references',
    );
  });

  it('gives the sum when images and text together are over the prefix', () => {
    expect(promptProblem({ ...tiny, textTokens: 49 })).toBe('The prompt is too long: 1 image × 16 tokens + 49 text tokens = 65 > prefix length 64');
    expect(promptProblem({ ...tiny, markers: 0, references: 0, textTokens: 65 })).toBe(
      'The prompt is too long: 0 images × 16 tokens + 65 text tokens = 65 > prefix length 64',
    );
  });
});
