import { describe, expect, it } from 'vitest';
import { numberFlag, parseArgs, UsageError } from './args';
import { outPaths } from './out-paths';
import { errorLine, exitStatusFor } from './run-cli';
import { EngineError } from '../engine/errors';

const specs = { name: { type: 'string' }, image: { type: 'string', repeat: true }, quiet: { type: 'boolean' } } as const;

describe('parseArgs', () => {
  it('reads --flag value, --flag=value, repeats, booleans and positionals', () => {
    const args = parseArgs(['--name', 'a b', '--image=x.png', '--image', 'y.png', '--quiet', 'DIR'], specs);
    expect(args.values.get('name')).toEqual(['a b']);
    expect(args.values.get('image')).toEqual(['x.png', 'y.png']);
    expect(args.flags.has('quiet')).toBe(true);
    expect(args.positionals).toEqual(['DIR']);
  });

  it('names an unknown option', () => {
    expect(() => parseArgs(['--nmae', 'x'], specs)).toThrow(new UsageError('unknown option --nmae'));
    expect(() => parseArgs(['-n', 'x'], specs)).toThrow(/unknown option -n/);
  });

  it('names an option whose value is missing, at the end or before another option', () => {
    expect(() => parseArgs(['--name'], specs)).toThrow(new UsageError('--name needs a value'));
    expect(() => parseArgs(['--name', '--quiet'], specs)).toThrow(new UsageError('--name needs a value'));
  });

  it('takes a negative number as a value, refuses a repeated single option and a value on a switch', () => {
    expect(parseArgs(['--name', '-1'], specs).values.get('name')).toEqual(['-1']);
    expect(() => parseArgs(['--name', 'a', '--name', 'b'], specs)).toThrow(/given more than once/);
    expect(() => parseArgs(['--quiet=yes'], specs)).toThrow(/takes no value/);
  });

  it('treats everything after -- as positional', () => {
    expect(parseArgs(['--', '--name'], specs).positionals).toEqual(['--name']);
  });
});

describe('numberFlag', () => {
  const parse = (value: string) => parseArgs(['--x', value], { x: { type: 'string' } });

  it('accepts numbers in range and says what is wrong otherwise', () => {
    expect(numberFlag(parse('7.5'), 'x', { min: 0, max: 50 })).toBe(7.5);
    expect(numberFlag(parse('1e-1'), 'x')).toBe(0.1);
    expect(() => numberFlag(parse('abc'), 'x')).toThrow('--x must be a number, got "abc"');
    expect(() => numberFlag(parse('1.5'), 'x', { integer: true })).toThrow('--x must be a whole number, got "1.5"');
    expect(() => numberFlag(parse('0'), 'x', { min: 0, minExclusive: true, max: 1 })).toThrow('--x must be > 0 and ≤ 1, got 0');
    expect(() => numberFlag(parse('51'), 'x', { min: 0, max: 50 })).toThrow('--x must be ≥ 0 and ≤ 50, got 51');
    expect(numberFlag(parseArgs([], { x: { type: 'string' } }), 'x')).toBeUndefined();
  });
});

describe('outPaths', () => {
  it('numbers several images before the extension, or in {n}', () => {
    expect(outPaths('cat.png', 1)).toEqual(['cat.png']);
    expect(outPaths('out/cat.png', 3)).toEqual(['out/cat-1.png', 'out/cat-2.png', 'out/cat-3.png']);
    expect(outPaths('cat', 2)).toEqual(['cat-1', 'cat-2']);
    expect(outPaths('cat_{n}.png', 2)).toEqual(['cat_1.png', 'cat_2.png']);
    expect(outPaths('cat_{n}.png', 1)).toEqual(['cat_1.png']);
  });
});

describe('errorLine and exit status', () => {
  it('is one line, without a stack', () => {
    const error = new Error('first\n  second\n\nthird');
    expect(errorLine(error)).toBe('mentor: first second third');
    expect(errorLine('plain')).toBe('mentor: plain');
  });

  it('is 2 for usage mistakes, 130 for a cancel, 1 otherwise', () => {
    expect(exitStatusFor(new UsageError('x'))).toBe(2);
    expect(exitStatusFor(new EngineError('cancelled', 'Cancelled'))).toBe(130);
    expect(exitStatusFor(new EngineError('image_invalid', 'x'))).toBe(1);
    expect(exitStatusFor(new Error('x'))).toBe(1);
  });
});
