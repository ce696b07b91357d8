/**
 * The parameters of a generation as labelled lines, for the details pane and the compare dialog
 * (which marks the lines that differ between the two images).
 */
import type { Generation } from '../../preload/contract';

export interface Fact {
  label: string;
  value: string;
}

export interface FactNames {
  modelName(id: string | null): string;
  boardName(id: string | null): string;
}

function describeTopK(topK: number): string {
  return topK === 0 ? 'off' : String(topK);
}

function describeTopP(topP: number): string {
  return topP >= 1 ? 'off' : String(topP);
}

function describeCfg(cfg: number): string {
  return cfg <= 1 ? `${cfg} (guidance off)` : String(cfg);
}

function describeTemperature(temperature: number): string {
  return temperature === 0 ? '0 (greedy)' : String(temperature);
}

/** "1.2 s", "2 min 5 s". */
export function formatDuration(ms: number): string {
  if (ms < 60_000) {
    return `${(ms / 1000).toFixed(ms < 10_000 ? 1 : 0)} s`;
  }
  const seconds = Math.round(ms / 1000);
  return `${Math.floor(seconds / 60)} min ${seconds % 60} s`;
}

export function formatTimestamp(ms: number): string {
  return new Date(ms).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'medium' });
}

/** What made the image: enough to tell two images apart and to run one again by hand. */
export function parameterFacts(generation: Generation, names: FactNames): Fact[] {
  return [
    { label: 'Model', value: names.modelName(generation.modelId) },
    { label: 'Seed', value: generation.seed },
    { label: 'Variation', value: String(generation.variation + 1) },
    { label: 'CFG scale', value: describeCfg(generation.params.cfgScale) },
    { label: 'Temperature', value: describeTemperature(generation.params.temperature) },
    { label: 'Top-k', value: describeTopK(generation.params.topK) },
    { label: 'Top-p', value: describeTopP(generation.params.topP) },
    { label: 'References', value: generation.references.length === 0 ? 'none' : String(generation.references.length) },
    { label: 'Board', value: names.boardName(generation.boardId) },
  ];
}

export function timingFacts(generation: Generation): Fact[] {
  const facts: Fact[] = [{ label: 'Queued', value: formatTimestamp(generation.createdAt) }];
  if (generation.startedAt !== null) {
    facts.push({ label: 'Started', value: formatTimestamp(generation.startedAt) });
  }
  if (generation.finishedAt !== null) {
    facts.push({ label: 'Finished', value: formatTimestamp(generation.finishedAt) });
  }
  if (generation.startedAt !== null && generation.finishedAt !== null) {
    facts.push({ label: 'Took', value: formatDuration(generation.finishedAt - generation.startedAt) });
  }
  return facts;
}

export interface ComparedFact {
  label: string;
  left: string;
  right: string;
  differs: boolean;
}

/** The two images' prompts and parameters side by side; references compare by hash, not count. */
export function compareFacts(left: Generation, right: Generation, names: FactNames): ComparedFact[] {
  const leftFacts = [{ label: 'Prompt', value: left.prompt }, ...parameterFacts(left, names)];
  const rightFacts = [{ label: 'Prompt', value: right.prompt }, ...parameterFacts(right, names)];
  return leftFacts.map((fact, index) => {
    const other = rightFacts[index]!;
    const differs =
      fact.label === 'References'
        ? left.references.join(',') !== right.references.join(',')
        : fact.value !== other.value;
    return { label: fact.label, left: fact.value, right: other.value, differs };
  });
}
