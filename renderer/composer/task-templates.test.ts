import { describe, expect, it } from 'vitest';
import type { BoardItem } from '../../preload/contract';
import { toPromptString } from './prompt-segments';
import { applyTemplate, slotCandidates, taskTemplates, templateImageCount, type TaskTemplate } from './task-templates';

function template(id: TaskTemplate['id']): TaskTemplate {
  const found = taskTemplates.find((candidate) => candidate.id === id);
  if (!found) {
    throw new Error(id);
  }
  return found;
}

function item(id: string, kind: BoardItem['kind'], createdAt: number): BoardItem {
  return {
    id,
    boardId: 'board',
    kind,
    assetSha256: 'a'.repeat(64),
    generationId: null,
    name: null,
    sourceItemIds: [],
    x: 0,
    y: 0,
    width: 1,
    height: 1,
    zIndex: createdAt,
    createdAt,
  };
}

describe('task templates', () => {
  it('write MENTOR’s training formats', () => {
    const prompts = Object.fromEntries(taskTemplates.map((t) => [t.id, toPromptString(applyTemplate(t, ['a', 'b']).doc)]));
    expect(prompts).toEqual({
      subject: 'The subject in <image>.\nA description of the new image',
      'multi-object': 'The first subject in <image>.\nThe second subject in <image>.\nA description of the scene',
      reconstruction: 'The image is <image>\nA caption of the image',
      segmentation: 'The object in <image>.',
      'text-to-image': 'A description of the image',
    });
    expect(taskTemplates.map(templateImageCount)).toEqual([1, 2, 1, 1, 0]);
  });

  it('binds the slots in order, leaves empty slots when there are too few images, and selects the first word to replace', () => {
    const applied = applyTemplate(template('multi-object'), ['cat']);
    expect(applied.doc.filter((s) => s.kind === 'image')).toEqual([
      { kind: 'image', itemId: 'cat' },
      { kind: 'image', itemId: null },
    ]);
    expect(applied.selection).toEqual({ start: 4, end: 4 + 'first subject'.length });
  });

  it('fills slots with the prompt’s images first, then references oldest first, then results', () => {
    const items = [item('r2', 'reference', 2), item('g1', 'generation', 1), item('r1', 'reference', 3)];
    expect(slotCandidates([{ kind: 'image', itemId: 'r1' }, { kind: 'image', itemId: 'deleted' }], items)).toEqual(['r1', 'r2', 'g1']);
    expect(slotCandidates([], items)).toEqual(['r2', 'r1', 'g1']);
  });
});
