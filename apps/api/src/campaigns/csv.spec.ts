import { parse } from 'csv-parse/sync';
import { csvFile, numberAsText, textCell, UTF8_BOM } from './csv';

describe('csvFile (R12: the follow-up list as a file for Excel)', () => {
  it('starts with the UTF-8 BOM, ends lines with CRLF and quotes what needs it', () => {
    const file = csvFile(
      ['证书编号', '姓名'],
      [
        [numberAsText('220100000001'), '王小明'],
        ['x', '逗号,引号"换行\n'],
      ],
    );
    expect(file.subarray(0, 3).equals(Buffer.from([0xef, 0xbb, 0xbf]))).toBe(true);
    const text = file.toString('utf8');
    expect(text.startsWith(UTF8_BOM)).toBe(true);
    expect(text).toContain('证书编号,姓名\r\n');
    expect(text.endsWith('\r\n')).toBe(true);
    expect(parse(text.slice(1), { relax_column_count: false })).toEqual([
      ['证书编号', '姓名'],
      ['\t220100000001', '王小明'],
      ['x', '逗号,引号"换行\n'],
    ]);
  });

  it('neutralises cells that Excel would run as formulas, and nothing else', () => {
    expect(textCell('=HYPERLINK("http://x","点我")')).toBe(`'=HYPERLINK("http://x","点我")`);
    expect(textCell('+1')).toBe(`'+1`);
    expect(textCell('-1')).toBe(`'-1`);
    expect(textCell('@SUM(A1)')).toBe(`'@SUM(A1)`);
    expect(textCell('\t=1')).toBe(`'\t=1`);
    expect(textCell('欧阳 娜娜')).toBe('欧阳 娜娜');
    expect(textCell('139****5678')).toBe('139****5678');
  });
});
