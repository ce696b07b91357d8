/**
 * What the composer keeps in this browser's localStorage so a reload loses nothing: the prompt of
 * each board (chips with their bindings) and the parameters panel. Read back through zod, so a
 * damaged or old entry is dropped instead of breaking the composer.
 */
import { z } from 'zod';
import { readLocal, writeLocal } from '../state/local-storage';
import { defaultParamsDraft, type ParamsDraft } from './composer-params';
import { normalize, type Segment } from './prompt-segments';

const draftKeyPrefix = 'mentor-studio.composer.draft.';
export const paramsKey = 'mentor-studio.composer.params';

export function draftKey(boardId: string): string {
  return `${draftKeyPrefix}${boardId}`;
}

const StoredSegment = z.union([
  z.object({ kind: z.literal('text'), text: z.string() }),
  z.object({ kind: z.literal('image'), itemId: z.string().nullable(), missingSha256: z.string().optional() }),
]);
const StoredDraft = z.object({ version: z.literal(1), segments: z.array(StoredSegment).max(10_000) });

const text = z.string().max(40);
const StoredParams = z.object({
  version: z.literal(1),
  params: z.object({
    seedMode: z.enum(['random', 'fixed', 'increment']),
    seed: text,
    count: text,
    sampling: z.object({ cfgScale: text, temperature: text, topK: text, topP: text }).nullable(),
  }),
});

function parseJson(raw: string | null): unknown {
  if (raw === null) {
    return undefined;
  }
  try {
    return JSON.parse(raw) as unknown;
  } catch {
    return undefined;
  }
}

export function parseDraft(raw: string | null): Segment[] {
  const parsed = StoredDraft.safeParse(parseJson(raw));
  if (!parsed.success) {
    return [];
  }
  return normalize(
    parsed.data.segments.map((segment): Segment =>
      segment.kind === 'text'
        ? segment
        : segment.missingSha256 === undefined
          ? { kind: 'image', itemId: segment.itemId }
          : { kind: 'image', itemId: segment.itemId, missingSha256: segment.missingSha256 },
    ),
  );
}

export function serializeDraft(segments: readonly Segment[]): string {
  return JSON.stringify({ version: 1, segments });
}

export function parseParams(raw: string | null): ParamsDraft {
  const parsed = StoredParams.safeParse(parseJson(raw));
  return parsed.success ? parsed.data.params : defaultParamsDraft;
}

export function serializeParams(params: ParamsDraft): string {
  return JSON.stringify({ version: 1, params });
}

export function loadDraft(boardId: string): Segment[] {
  return parseDraft(readLocal(draftKey(boardId)));
}

/** An empty prompt removes the entry, so boards deleted long ago do not pile up drafts. */
export function saveDraft(boardId: string, segments: readonly Segment[]): void {
  writeLocal(draftKey(boardId), segments.length === 0 ? null : serializeDraft(segments));
}

export function loadParams(): ParamsDraft {
  return parseParams(readLocal(paramsKey));
}

export function saveParams(params: ParamsDraft): void {
  writeLocal(paramsKey, serializeParams(params));
}
