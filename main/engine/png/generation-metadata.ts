/**
 * What a generated PNG says about how it was made, in two text chunks:
 *
 * - `mentor`: JSON, `formatVersion` 1, every field of `GenerationMetadata` (the seed as a decimal
 *   string: JSON numbers cannot hold 64 bits). This is what the studio reads back.
 * - `parameters`: the AUTOMATIC1111 "infotext" convention other tools show and parse: the prompt
 *   (any number of lines, kept verbatim), then one line of `Key: value` pairs separated by ", ".
 *   A value holding a comma, colon, quote, backslash, line break or edge whitespace is written as a
 *   JSON string. The keys, in order:
 *
 *   | key           | value                                                     |
 *   |---------------|-----------------------------------------------------------|
 *   | Steps         | image tokens generated (grid × grid), e.g. 1024           |
 *   | Sampler       | always `MENTOR AR` (how the reader knows the line is ours) |
 *   | CFG scale     | params.cfgScale                                           |
 *   | Temperature   | params.temperature                                        |
 *   | Top-k         | params.topK (0: off)                                      |
 *   | Top-p         | params.topP (1: off)                                      |
 *   | Seed          | unsigned 64-bit decimal                                   |
 *   | Size          | `WIDTHxHEIGHT` of the image                               |
 *   | Model hash    | first 10 hex digits of the bundle's sha256                |
 *   | Model         | the bundle's name                                         |
 *   | Variation     | index in the batch (also the uniforms' image index)       |
 *   | Count         | variations in the batch                                   |
 *   | Image size    | the model's image size; only written when ≠ width or height |
 *   | Bundle sha256 | the full sha256 of the bundle's manifest.json             |
 *   | References    | the reference images' sha256, space-separated; omitted when none |
 *   | Version       | `mentor-studio <engine version>`                          |
 *
 * MENTOR has no negative prompt, so there is no `Negative prompt:` line. Both chunks carry the
 * same information, so either alone restores a generation exactly.
 */

import { z } from 'zod';
import { SamplingParams, Seed, Sha256 } from '../../../preload/contract';
import { EngineError } from '../errors';

export const generationMetadataVersion = 1;

const sampler = 'MENTOR AR';
const versionPrefix = 'mentor-studio ';

const positiveInt = z.number().int().positive();

const GenerationMetadataSchema = z
  .object({
    formatVersion: z.literal(generationMetadataVersion),
    prompt: z.string(),
    seed: Seed,
    params: SamplingParams,
    /** Image tokens generated for this image (grid × grid): A1111's "Steps". */
    tokens: positiveInt,
    variation: z.number().int().nonnegative(),
    count: positiveInt,
    width: positiveInt,
    height: positiveInt,
    /** The model's image size (manifest config); the same as width and height for MENTOR. */
    imageSize: positiveInt,
    model: z.object({ name: z.string(), bundleSha256: Sha256 }),
    references: z.array(Sha256),
    engineVersion: z.string(),
  })
  .refine((meta) => meta.variation < meta.count, { message: 'variation must be below count', path: ['variation'] });

export type GenerationMetadata = z.infer<typeof GenerationMetadataSchema>;

function issues(error: z.ZodError): string {
  return error.issues.map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`).join('; ');
}

/** Text chunks for a generated image: `mentor` (JSON) and `parameters` (A1111 style). */
export function metadataText(meta: Omit<GenerationMetadata, 'formatVersion'>): Record<string, string> {
  const parsed = GenerationMetadataSchema.safeParse({ ...meta, formatVersion: generationMetadataVersion });
  if (!parsed.success) {
    throw new EngineError('internal', `generation metadata is invalid: ${issues(parsed.error)}`);
  }
  const m = parsed.data;
  // Fixed key order, so the same generation gives the same bytes.
  const mentor: GenerationMetadata = {
    formatVersion: m.formatVersion,
    prompt: m.prompt,
    seed: m.seed,
    params: { cfgScale: m.params.cfgScale, temperature: m.params.temperature, topK: m.params.topK, topP: m.params.topP },
    tokens: m.tokens,
    variation: m.variation,
    count: m.count,
    width: m.width,
    height: m.height,
    imageSize: m.imageSize,
    model: { name: m.model.name, bundleSha256: m.model.bundleSha256 },
    references: [...m.references],
    engineVersion: m.engineVersion,
  };
  return { mentor: JSON.stringify(mentor), parameters: parametersText(mentor) };
}

function quote(value: string): string {
  return value === '' || /[,:\n\r"\\]/.test(value) || value.trim() !== value ? JSON.stringify(value) : value;
}

function parametersText(m: GenerationMetadata): string {
  const fields: [string, string][] = [
    ['Steps', String(m.tokens)],
    ['Sampler', sampler],
    ['CFG scale', String(m.params.cfgScale)],
    ['Temperature', String(m.params.temperature)],
    ['Top-k', String(m.params.topK)],
    ['Top-p', String(m.params.topP)],
    ['Seed', m.seed],
    ['Size', `${m.width}x${m.height}`],
    ['Model hash', m.model.bundleSha256.slice(0, 10)],
    ['Model', m.model.name],
    ['Variation', String(m.variation)],
    ['Count', String(m.count)],
  ];
  if (m.imageSize !== m.width || m.imageSize !== m.height) {
    fields.push(['Image size', String(m.imageSize)]);
  }
  fields.push(['Bundle sha256', m.model.bundleSha256]);
  if (m.references.length > 0) {
    fields.push(['References', m.references.join(' ')]);
  }
  fields.push(['Version', `${versionPrefix}${m.engineVersion}`]);
  // The prompt's own line breaks stay: the reader takes everything before the last line as the prompt.
  return `${m.prompt}\n${fields.map(([key, value]) => `${key}: ${quote(value)}`).join(', ')}`;
}

/** `Key: value, Key: "quoted, value"` → a map; null when the line is not of that form. */
function parseParameterLine(line: string): Map<string, string> | null {
  const pair = /\s*([A-Za-z][\w \-/]*?):\s*("(?:\\.|[^\\"])*"|[^,]*)\s*(,|$)/y;
  const out = new Map<string, string>();
  let at = 0;
  while (at < line.length) {
    pair.lastIndex = at;
    const match = pair.exec(line);
    if (match === null) {
      return null;
    }
    const key = match[1] as string;
    const raw = (match[2] as string).trim();
    let value = raw;
    if (raw.startsWith('"')) {
      try {
        value = JSON.parse(raw) as string;
      } catch {
        return null;
      }
    }
    if (!out.has(key)) {
      out.set(key, value);
    }
    at = pair.lastIndex;
    if (match[3] === '') {
      break;
    }
  }
  return at >= line.trimEnd().length ? out : null;
}

function metadataError(name: string, what: string): EngineError {
  return new EngineError('image_invalid', `${name}: ${what}`);
}

function toNumber(value: string | undefined): number | undefined {
  if (value === undefined || value.trim() === '') {
    return undefined;
  }
  const n = Number(value);
  return Number.isFinite(n) ? n : undefined;
}

function fromParameters(text: string, name: string): GenerationMetadata {
  const body = text.replace(/[\r\n]+$/, '');
  const split = body.lastIndexOf('\n');
  const prompt = split < 0 ? '' : body.slice(0, split);
  const fields = parseParameterLine(body.slice(split + 1));
  if (fields === null) {
    throw metadataError(name, 'the parameters text does not end with a "Key: value, …" line');
  }
  if (fields.get('Sampler') !== sampler) {
    throw metadataError(name, `the parameters text was not written by MENTOR Studio (Sampler: ${fields.get('Sampler') ?? 'none'})`);
  }
  const size = /^(\d+)x(\d+)$/.exec(fields.get('Size') ?? '');
  const width = size ? Number(size[1]) : undefined;
  const height = size ? Number(size[2]) : undefined;
  const bundleSha256 = fields.get('Bundle sha256');
  const modelHash = fields.get('Model hash');
  if (bundleSha256 !== undefined && modelHash !== undefined && !bundleSha256.startsWith(modelHash)) {
    throw metadataError(name, `the parameters text's Model hash ${modelHash} does not match Bundle sha256 ${bundleSha256}`);
  }
  const version = fields.get('Version');
  const references = fields.get('References');
  const candidate = {
    formatVersion: generationMetadataVersion,
    prompt,
    seed: fields.get('Seed'),
    params: {
      cfgScale: toNumber(fields.get('CFG scale')),
      temperature: toNumber(fields.get('Temperature')),
      topK: toNumber(fields.get('Top-k')),
      topP: toNumber(fields.get('Top-p')),
    },
    tokens: toNumber(fields.get('Steps')),
    variation: toNumber(fields.get('Variation')),
    count: toNumber(fields.get('Count')),
    width,
    height,
    imageSize: fields.has('Image size') ? toNumber(fields.get('Image size')) : width === height ? width : undefined,
    model: { name: fields.get('Model'), bundleSha256 },
    references: references === undefined || references.trim() === '' ? [] : references.trim().split(/\s+/),
    engineVersion: version?.startsWith(versionPrefix) ? version.slice(versionPrefix.length) : version,
  };
  const parsed = GenerationMetadataSchema.safeParse(candidate);
  if (!parsed.success) {
    throw metadataError(name, `the parameters text is incomplete or invalid: ${issues(parsed.error)}`);
  }
  return parsed.data;
}

function fromMentor(json: string, name: string): GenerationMetadata {
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch (error) {
    throw metadataError(name, `the mentor text is not JSON (${error instanceof Error ? error.message : String(error)})`);
  }
  const version = (value as { formatVersion?: unknown } | null)?.formatVersion;
  if (version !== generationMetadataVersion) {
    throw metadataError(name, `the mentor text has format version ${JSON.stringify(version)}; this version reads ${generationMetadataVersion}`);
  }
  const parsed = GenerationMetadataSchema.safeParse(value);
  if (!parsed.success) {
    throw metadataError(name, `the mentor text is invalid: ${issues(parsed.error)}`);
  }
  return parsed.data;
}

/**
 * A PNG's text chunks (readPngText) → how it was generated. Reads `mentor`; when that is missing or
 * unreadable, `parameters`. Throws EngineError('image_invalid', `${name}: …`) when neither gives a
 * complete MENTOR generation (the error of `mentor` when both fail).
 */
export function parseGenerationMetadata(text: Record<string, string>, name = 'PNG'): GenerationMetadata {
  const mentor = Object.hasOwn(text, 'mentor') ? text.mentor : undefined;
  const parameters = Object.hasOwn(text, 'parameters') ? text.parameters : undefined;
  if (mentor === undefined && parameters === undefined) {
    throw metadataError(name, 'has no generation metadata (no "mentor" or "parameters" text)');
  }
  let mentorError: EngineError | undefined;
  if (mentor !== undefined) {
    try {
      return fromMentor(mentor, name);
    } catch (error) {
      if (!(error instanceof EngineError) || parameters === undefined) {
        throw error;
      }
      mentorError = error;
    }
  }
  try {
    return fromParameters(parameters as string, name);
  } catch (error) {
    throw mentorError ?? error;
  }
}
