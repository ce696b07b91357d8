import { describe, expect, it } from 'vitest';
import { defaultParamsDraft } from './composer-params';
import { parseDraft, parseParams, serializeDraft, serializeParams } from './composer-storage';
import type { Segment } from './prompt-segments';

describe('composer storage', () => {
  it('keeps a prompt with its chips and their bindings across a reload', () => {
    const doc: Segment[] = [
      { kind: 'text', text: 'The cat in ' },
      { kind: 'image', itemId: '00000000-0000-4000-8000-000000000001' },
      { kind: 'text', text: '.\n' },
      { kind: 'image', itemId: null, missingSha256: 'f'.repeat(64) },
    ];
    expect(parseDraft(serializeDraft(doc))).toEqual(doc);
  });

  it('drops a damaged or foreign entry instead of failing', () => {
    expect(parseDraft('{not json')).toEqual([]);
    expect(parseDraft(JSON.stringify({ version: 2, segments: [] }))).toEqual([]);
    expect(parseDraft(JSON.stringify({ version: 1, segments: [{ kind: 'html', html: '<b>' }] }))).toEqual([]);
    expect(parseDraft(null)).toEqual([]);
  });

  it('turns a stored literal <image> into a chip, as typing it would', () => {
    expect(parseDraft(JSON.stringify({ version: 1, segments: [{ kind: 'text', text: 'a <image>' }] }))).toEqual([
      { kind: 'text', text: 'a ' },
      { kind: 'image', itemId: null },
    ]);
  });

  it('keeps the parameters panel as typed, and falls back to defaults', () => {
    const params = { seedMode: 'increment' as const, seed: '18446744073709551615', count: '4', sampling: { cfgScale: '7.5', temperature: '1', topK: '0', topP: '0.9' } };
    expect(parseParams(serializeParams(params))).toEqual(params);
    expect(parseParams('[]')).toEqual(defaultParamsDraft);
  });
});
