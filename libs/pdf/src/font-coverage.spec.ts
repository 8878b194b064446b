import { describeCharacter, FontCoverage } from './font-coverage';

// Needs the fonts of scripts/setup.sh (fonts-noto-cjk, fonts-arphic-uming, fonts-hanazono) and fontconfig.
describe('FontCoverage (R1: every character of a real name prints)', () => {
  const coverage = new FontCoverage();

  it('covers common names, ethnic-minority names with a middle dot and rare CJK extension B characters', async () => {
    expect(await coverage.unprintable('王小明')).toEqual([]);
    expect(await coverage.unprintable('阿依古丽·买买提')).toEqual([]);
    // U+2A6A5 (CJK extension B) is in none of the common CJK fonts; HanaMin covers it.
    expect(await coverage.unprintable('李\u{2A6A5}')).toEqual([]);
  });

  it('names a character that no installed font has (CJK extension G)', async () => {
    const result = await coverage.unprintable('张\u{30000}\u{30000}');
    expect(result).toEqual(['\u{30000}']);
    expect(describeCharacter(result[0])).toBe('「\u{30000}」(U+30000)');
  });
});
