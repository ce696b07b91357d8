/**
 * The sentences a user reads when a prompt cannot run: markers that do not match the reference images,
 * and a prompt over the model's token budget. One module, so the composer's meter (`prompts:measure`),
 * the queue's check at enqueue time and the engine's own check say the same thing with the same numbers.
 */

/** The marker users write for each reference image (and the tokenizer's special token it becomes). */
export const imageMarker = '<image>';

function plural(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}

/** `<image>` markers in `prompt`, counted left to right without overlap (what Python's str.count does). */
export function countImageMarkers(prompt: string): number {
  return prompt.split(imageMarker).length - 1;
}

export function markerMismatchProblem(markers: number, references: number): string {
  return (
    `The prompt has ${plural(markers, `${imageMarker} marker`)} but ${plural(references, 'reference image')} ` +
    `${references === 1 ? 'was' : 'were'} given; write one ${imageMarker} for each reference, in order`
  );
}

/** The images alone fill the prefix: not even the closing `</s>` of the text fits beside them. */
export function imagesLeaveNoTextProblem(images: number, tokensPerImage: number, prefixLength: number, modelName: string): string {
  return (
    `${plural(images, 'reference image')} take ${images * tokensPerImage} of the ${prefixLength} prompt tokens ` +
    `${modelName} allows (${tokensPerImage} each), leaving none for the text; use fewer references`
  );
}

export function promptTooLongProblem(images: number, tokensPerImage: number, textTokens: number, prefixLength: number): string {
  return (
    `The prompt is too long: ${plural(images, 'image')} × ${tokensPerImage} tokens + ${textTokens} text tokens = ` +
    `${images * tokensPerImage + textTokens} > prefix length ${prefixLength}`
  );
}

export type PromptCount = {
  markers: number;
  references: number;
  /** Tokens that are not image placeholders, `</s>` included. */
  textTokens: number;
  tokensPerImage: number;
  prefixLength: number;
  modelName: string;
};

/**
 * Why the prompt cannot run, or null: the first problem in the order enqueue and the engine check them
 * (markers, then images alone, then images plus text).
 */
export function promptProblem(count: PromptCount): string | null {
  const { markers, references, textTokens, tokensPerImage, prefixLength, modelName } = count;
  if (markers !== references) {
    return markerMismatchProblem(markers, references);
  }
  if (markers * tokensPerImage + 1 > prefixLength) {
    return imagesLeaveNoTextProblem(markers, tokensPerImage, prefixLength, modelName);
  }
  if (markers * tokensPerImage + textTokens > prefixLength) {
    return promptTooLongProblem(markers, tokensPerImage, textTokens, prefixLength);
  }
  return null;
}
