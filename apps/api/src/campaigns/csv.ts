import { stringify } from 'csv-stringify/sync';

/**
 * CSV for staff who open it in Excel (Chinese Windows): UTF-8 with a byte-order mark, without which Excel reads the
 * file as GBK and shows the names garbled; CRLF line ends; RFC 4180 quoting (csv-stringify, the sibling of the
 * csv-parse that reads the uploads).
 */
export const UTF8_BOM = '\uFEFF';

/**
 * A cell that Excel would run as a formula (`=`, `+`, `-`, `@`, or a tab / carriage return before one) gets a leading
 * apostrophe (OWASP "CSV injection"): names come from applicants, and an exported list must not execute their text.
 */
export function textCell(value: string): string {
  return /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
}

/**
 * A long number kept as text: Excel turns a 12-digit certificate number into `1.10101E+11` and drops digits beyond 15.
 * A leading tab makes Excel keep it as text; the inspection upload trims cells, so such a list can be filled in and
 * uploaded again.
 */
export function numberAsText(digits: string): string {
  return `\t${digits}`;
}

/** The whole file: BOM, header, rows. Cells are written as given (use textCell / numberAsText first). */
export function csvFile(header: readonly string[], rows: readonly (readonly string[])[]): Buffer {
  const text = stringify([header, ...rows] as string[][], {
    bom: true,
    record_delimiter: 'windows',
    // A leading tab (numberAsText) survives Excel's import only inside quotes.
    quoted_match: /\t/,
  });
  return Buffer.from(text, 'utf8');
}
