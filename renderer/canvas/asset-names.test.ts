import { describe, expect, it } from 'vitest';
import { cleanFileName, parseAssetNames, withAssetName } from './asset-names';

const sha = (digit: string) => digit.repeat(64);

describe('remembered reference names', () => {
  it('round-trips through JSON and drops anything malformed', () => {
    const names = withAssetName({}, sha('1'), 'cat.png');
    expect(parseAssetNames(JSON.stringify(names))).toEqual({ [sha('1')]: 'cat.png' });
    expect(parseAssetNames(JSON.stringify({ nothash: 'x.png', [sha('2')]: 7, [sha('3')]: 'ok.png' }))).toEqual({ [sha('3')]: 'ok.png' });
    expect(parseAssetNames('[1,2]')).toEqual({});
    expect(parseAssetNames('{')).toEqual({});
    expect(parseAssetNames(null)).toEqual({});
  });

  it('keeps only the newest names past the limit', () => {
    let names = {};
    for (const digit of ['1', '2', '3', '4']) {
      names = withAssetName(names, sha(digit), `${digit}.png`, 3);
    }
    expect(Object.values(names)).toEqual(['2.png', '3.png', '4.png']);
    // Naming an image again makes it the newest.
    names = withAssetName(names, sha('2'), 'again.png', 3);
    names = withAssetName(names, sha('5'), '5.png', 3);
    expect(Object.values(names)).toEqual(['4.png', 'again.png', '5.png']);
  });

  it('keeps the file name, not its folder or control characters', () => {
    expect(cleanFileName('C:\\Users\\me\\cat.png')).toBe('cat.png');
    expect(cleanFileName('/home/me/dog\u0007.png')).toBe('dog.png');
    expect(withAssetName({}, sha('1'), '   ')).toEqual({});
  });
});
