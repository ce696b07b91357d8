/**
 * The token budget of the prompt being written, from the model's own tokenizer (`prompts:measure`),
 * asked for 150 ms after the last keystroke. Answers to older prompts are dropped.
 */
import { useEffect, useRef, useState } from 'react';
import type { PromptMeasure, StudioError } from '../../preload/contract';
import { useConnectionSession, useStudioClient } from '../state/studio-client-context';

export const measureDebounceMs = 150;

export interface MeasureState {
  /** The measure of `prompt`, or of an earlier prompt while the new one is being counted. */
  measure: PromptMeasure | null;
  /** True when `measure` belongs to the prompt as it is now. */
  current: boolean;
  /** Why the count could not be made (the meter says so; Generate stays possible). */
  error: StudioError | null;
}

export function usePromptMeasure(modelId: string | null, prompt: string, referenceCount: number): MeasureState {
  const client = useStudioClient();
  const session = useConnectionSession();
  const key = `${modelId ?? ''}\u0000${referenceCount}\u0000${prompt}`;
  const [answer, setAnswer] = useState<{ key: string; measure: PromptMeasure | null; error: StudioError | null } | null>(null);
  const latest = useRef(0);

  useEffect(() => {
    if (modelId === null || session === null) {
      return;
    }
    const request = ++latest.current;
    const timer = window.setTimeout(() => {
      // The contract caps the reference count and length; beyond them the composer's own checks speak.
      const input = { modelId, prompt: prompt.slice(0, 4000), referenceCount: Math.min(referenceCount, 8) };
      void client.call('prompts:measure', input).then((result) => {
        if (request !== latest.current) {
          return;
        }
        setAnswer(result.ok ? { key, measure: result.value, error: null } : { key, measure: null, error: result.error });
      });
    }, measureDebounceMs);
    return () => window.clearTimeout(timer);
  }, [client, session, modelId, prompt, referenceCount, key]);

  if (answer === null || modelId === null) {
    return { measure: null, current: false, error: null };
  }
  const current = answer.key === key;
  return { measure: answer.measure, current, error: current ? answer.error : null };
}
