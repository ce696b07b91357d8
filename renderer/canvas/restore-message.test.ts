import { describe, expect, it } from 'vitest';
import type { ImageMetadata } from '../../preload/contract';
import { restoreMessage } from './restore-message';

function metadata(inLibrary: boolean[]): ImageMetadata {
  return {
    prompt: 'The cat in <image>',
    seed: '42',
    variation: 0,
    params: { cfgScale: 3, temperature: 1, topK: 0, topP: 1 },
    references: inLibrary.map((present, index) => ({ sha256: String(index).repeat(64), inLibrary: present })),
    bundleSha256: null,
    modelId: null,
  };
}

describe('restore message', () => {
  it('says what came back and what is missing', () => {
    expect(restoreMessage('result.png', metadata([true, true]), ['a', 'b'], true)).toBe(
      'Restored the prompt and settings of result.png; placed its 2 references beside it.',
    );
    expect(restoreMessage('result.png', metadata([true, false]), ['a', null], true)).toBe(
      'Restored the prompt and settings of result.png; placed its reference beside it; 1 reference is not in this library.',
    );
    expect(restoreMessage('r.png', metadata([false, false]), [null, null], true)).toBe(
      'Restored the prompt and settings of r.png; 2 references are not in this library.',
    );
  });

  it('says so when no composer could take the settings', () => {
    expect(restoreMessage('r.png', metadata([]), [], false)).toBe('r.png was made with MENTOR (open the composer to reuse its settings).');
  });
});
