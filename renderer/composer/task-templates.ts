/**
 * Prompt templates for the tasks MENTOR was trained on (spec/mentor-model.md §4.2, the formats of
 * `_process_text_info` in its dataset code). Prompts in these shapes are the ones the model knows;
 * a template fills its `<image>` slots with board items and selects the first word to replace.
 */
import type { BoardItem } from '../../preload/contract';
import { boundItemIds, type PromptDoc, type Segment, type Span } from './prompt-segments';

type TemplatePart = { kind: 'text'; text: string } | { kind: 'image' } | { kind: 'field'; placeholder: string };

export interface TaskTemplate {
  id: 'subject' | 'multi-object' | 'reconstruction' | 'segmentation' | 'text-to-image';
  name: string;
  /** One line for the menu: what the task does. */
  description: string;
  parts: readonly TemplatePart[];
}

const text = (value: string): TemplatePart => ({ kind: 'text', text: value });
const image: TemplatePart = { kind: 'image' };
const field = (placeholder: string): TemplatePart => ({ kind: 'field', placeholder });

export const taskTemplates: readonly TaskTemplate[] = [
  {
    id: 'subject',
    name: 'Subject-driven',
    description: 'The subject of one image in a new scene',
    parts: [text('The '), field('subject'), text(' in '), image, text('.\n'), field('A description of the new image')],
  },
  {
    id: 'multi-object',
    name: 'Multi-object composition',
    description: 'Two subjects from two images, together',
    parts: [
      text('The '),
      field('first subject'),
      text(' in '),
      image,
      text('.\nThe '),
      field('second subject'),
      text(' in '),
      image,
      text('.\n'),
      field('A description of the scene'),
    ],
  },
  {
    id: 'reconstruction',
    name: 'Image reconstruction',
    description: 'The image again, guided by a caption',
    parts: [text('The image is '), image, text('\n'), field('A caption of the image')],
  },
  {
    id: 'segmentation',
    name: 'Segmentation-style',
    description: 'One object cut out of an image',
    parts: [text('The '), field('object'), text(' in '), image, text('.')],
  },
  {
    id: 'text-to-image',
    name: 'Text to image',
    description: 'No reference image, only words',
    parts: [field('A description of the image')],
  },
];

/**
 * Which items fill a template's slots, in order: the images already in the prompt, then the board's
 * references (oldest first), then its results.
 */
export function slotCandidates(current: PromptDoc, items: readonly BoardItem[]): string[] {
  const present = new Set(items.map((item) => item.id));
  const ids = boundItemIds(current).filter((id) => present.has(id));
  const byAge = [...items].sort((a, b) => a.createdAt - b.createdAt || a.zIndex - b.zIndex);
  for (const kind of ['reference', 'generation'] as const) {
    for (const item of byAge) {
      if (item.kind === kind && !ids.includes(item.id)) {
        ids.push(item.id);
      }
    }
  }
  return ids;
}

/** The template as a prompt, slots bound to `itemIds` in order (empty slots when there are too few), first field selected. */
export function applyTemplate(template: TaskTemplate, itemIds: readonly string[]): { doc: Segment[]; selection: Span } {
  const doc: Segment[] = [];
  let offset = 0;
  let firstField: Span | null = null;
  let slot = 0;
  const appendText = (value: string) => {
    const last = doc.at(-1);
    if (last?.kind === 'text') {
      doc[doc.length - 1] = { kind: 'text', text: last.text + value };
    } else {
      doc.push({ kind: 'text', text: value });
    }
    offset += value.length;
  };
  for (const part of template.parts) {
    if (part.kind === 'image') {
      doc.push({ kind: 'image', itemId: itemIds[slot++] ?? null });
      offset += 1;
    } else if (part.kind === 'field') {
      firstField ??= { start: offset, end: offset + part.placeholder.length };
      appendText(part.placeholder);
    } else {
      appendText(part.text);
    }
  }
  return { doc, selection: firstField ?? { start: offset, end: offset } };
}

export function templateImageCount(template: TaskTemplate): number {
  return template.parts.filter((part) => part.kind === 'image').length;
}
