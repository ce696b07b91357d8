/** The composer's token meter: how much of the model's prefix a prompt takes, in words and shares. */
import type { PromptMeasure } from '../../preload/contract';

export type MeterLevel = 'ok' | 'warning' | 'error';

/** From this share of the prefix on, the meter warns that the budget is nearly spent. */
export const warningShare = 0.85;

export interface MeterView {
  /** "41 of 120 tokens": the meter's aria-valuetext and its visible label. */
  valueText: string;
  level: MeterLevel;
  /** Widths of the bar's parts as fractions of the prefix (clamped so they fit in the bar). */
  imageShare: number;
  textShare: number;
  /** "1 image × 16 = 16 · text 25": what the total is made of. */
  breakdown: string;
}

export function meterView(measure: PromptMeasure): MeterView {
  const { totalTokens, prefixLength, imageTokens, textTokens, markers } = measure;
  const used = totalTokens / prefixLength;
  const level: MeterLevel = measure.problem !== null || totalTokens > prefixLength ? 'error' : used >= warningShare ? 'warning' : 'ok';
  const scale = Math.max(totalTokens, prefixLength);
  const perImage = markers === 0 ? 0 : Math.round(imageTokens / markers);
  const images = markers === 0 ? 'no images' : `${markers} ${markers === 1 ? 'image' : 'images'} × ${perImage} = ${imageTokens}`;
  return {
    valueText: `${totalTokens} of ${prefixLength} tokens`,
    level,
    imageShare: imageTokens / scale,
    textShare: textTokens / scale,
    breakdown: `${images} · text ${textTokens}`,
  };
}
