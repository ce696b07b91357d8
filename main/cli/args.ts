/**
 * A small, strict command-line parser: every flag is declared, unknown flags and missing values are
 * named in the error, `--flag value` and `--flag=value` both work, repeatable flags collect.
 */

export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

export type FlagSpec = {
  /** 'string' takes a value; 'boolean' takes none. */
  type: 'string' | 'boolean';
  /** May be given more than once (values collect in order). */
  repeat?: boolean;
};

export type FlagSpecs = Record<string, FlagSpec>;

export type ParsedArgs = {
  /** Last value of each string flag given once or more (repeatable flags: every value). */
  values: Map<string, string[]>;
  flags: Set<string>;
  positionals: string[];
};

export function parseArgs(argv: readonly string[], specs: FlagSpecs): ParsedArgs {
  const values = new Map<string, string[]>();
  const flags = new Set<string>();
  const positionals: string[] = [];
  let onlyPositionals = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (onlyPositionals || !arg.startsWith('-') || arg === '-') {
      positionals.push(arg);
      continue;
    }
    if (arg === '--') {
      onlyPositionals = true;
      continue;
    }
    if (!arg.startsWith('--')) {
      throw new UsageError(`unknown option ${arg} (options are written --name)`);
    }
    const eq = arg.indexOf('=');
    const name = eq === -1 ? arg.slice(2) : arg.slice(2, eq);
    const spec = specs[name];
    if (spec === undefined) {
      throw new UsageError(`unknown option --${name}`);
    }
    if (spec.type === 'boolean') {
      if (eq !== -1) {
        throw new UsageError(`--${name} takes no value`);
      }
      flags.add(name);
      continue;
    }
    let value: string;
    if (eq !== -1) {
      value = arg.slice(eq + 1);
    } else {
      const next = argv[i + 1];
      // A following option is not a value ("--prompt --seed 1" forgot the prompt); a negative
      // number is, so "--cfg -1" reaches the range check instead.
      if (next === undefined || (next.startsWith('--') && next.length > 2)) {
        throw new UsageError(`--${name} needs a value`);
      }
      value = next;
      i++;
    }
    const list = values.get(name) ?? [];
    if (list.length > 0 && spec.repeat !== true) {
      throw new UsageError(`--${name} given more than once`);
    }
    list.push(value);
    values.set(name, list);
  }
  return { values, flags, positionals };
}

/** The one value of a string flag, or undefined. */
export function stringFlag(args: ParsedArgs, name: string): string | undefined {
  return args.values.get(name)?.[0];
}

export function requiredFlag(args: ParsedArgs, name: string, what: string): string {
  const value = stringFlag(args, name);
  if (value === undefined) {
    throw new UsageError(`--${name} is required (${what})`);
  }
  return value;
}

/** A finite decimal number; `min`/`max` inclusive unless `minExclusive`. */
export function numberFlag(
  args: ParsedArgs,
  name: string,
  range: { min?: number; max?: number; minExclusive?: boolean; integer?: boolean } = {},
): number | undefined {
  const text = stringFlag(args, name);
  if (text === undefined) {
    return undefined;
  }
  const pattern = range.integer === true ? /^-?\d+$/ : /^-?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?$/i;
  const value = Number(text);
  if (!pattern.test(text.trim()) || !Number.isFinite(value)) {
    throw new UsageError(`--${name} must be ${range.integer === true ? 'a whole number' : 'a number'}, got ${JSON.stringify(text)}`);
  }
  const { min, max } = range;
  const tooLow = min !== undefined && (range.minExclusive === true ? value <= min : value < min);
  if (tooLow || (max !== undefined && value > max)) {
    const low = min === undefined ? '' : `${range.minExclusive === true ? '>' : '≥'} ${min}`;
    const high = max === undefined ? '' : `≤ ${max}`;
    throw new UsageError(`--${name} must be ${[low, high].filter(Boolean).join(' and ')}, got ${text}`);
  }
  return value;
}
