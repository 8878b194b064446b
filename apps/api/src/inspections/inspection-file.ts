import { parse } from 'csv-parse/sync';
import ExcelJS from 'exceljs';

/** The columns of an inspection file, by their canonical (API) names. */
export const INSPECTION_COLUMNS = ['memberNo', 'year', 'result', 'passedOn', 'remark'] as const;
export type InspectionColumn = (typeof INSPECTION_COLUMNS)[number];

/** Chinese labels, used in messages and as the accepted Chinese header names. */
export const COLUMN_LABELS: Record<InspectionColumn, string> = {
  memberNo: '证书编号',
  year: '年度',
  result: '结果',
  passedOn: '通过日期',
  remark: '备注',
};

/** Header names each column is recognised by (compared trimmed and lower-cased). */
const HEADER_ALIASES: Record<InspectionColumn, string[]> = {
  memberNo: ['证书编号', '会员编号', 'memberno', 'certificateno'],
  year: ['年度', '年检年度', 'year'],
  result: ['结果', '年检结果', 'result'],
  passedOn: ['通过日期', '年检通过日期', 'passedon'],
  remark: ['备注', 'remark'],
};

export interface FileRow {
  /** Row number as the spreadsheet shows it (the header is row 1). */
  row: number;
  cells: Record<InspectionColumn, string>;
}

export interface ParsedFile {
  rows: FileRow[];
  /** Problems with the file as a whole (not a table, no header, missing columns). */
  problems: { row: number; field: string; message: string }[];
}

const isZip = (data: Buffer) => data.length >= 4 && data.readUInt32LE(0) === 0x04034b50;

/**
 * Reads a CSV (UTF-8, with or without BOM) or XLSX file into trimmed text cells. The format is told by content, not
 * by name: an XLSX is a zip. Only the first worksheet is read.
 */
export async function parseInspectionFile(data: Buffer): Promise<ParsedFile> {
  let table: string[][];
  try {
    table = isZip(data) ? await readXlsx(data) : readCsv(data);
  } catch {
    return {
      rows: [],
      problems: [{ row: 0, field: 'file', message: '无法读取文件：请上传 UTF-8 编码的 CSV 文件或 Excel（.xlsx）文件' }],
    };
  }
  const headerIndex = table.findIndex((cells) => cells.some((c) => c !== ''));
  if (headerIndex < 0) return { rows: [], problems: [{ row: 0, field: 'file', message: '文件是空的' }] };
  const header = table[headerIndex].map((h) => h.trim().toLowerCase());
  const positions = {} as Record<InspectionColumn, number>;
  const problems: ParsedFile['problems'] = [];
  for (const column of INSPECTION_COLUMNS) {
    positions[column] = header.findIndex((h) => HEADER_ALIASES[column].includes(h));
    if (positions[column] < 0 && column !== 'remark' && column !== 'passedOn') {
      problems.push({
        row: headerIndex + 1,
        field: column,
        message: `表头缺少“${COLUMN_LABELS[column]}”列（可写作 ${COLUMN_LABELS[column]} 或 ${column}）`,
      });
    }
  }
  if (problems.length) return { rows: [], problems };
  const rows: FileRow[] = [];
  for (let i = headerIndex + 1; i < table.length; i++) {
    const line = table[i];
    if (!line.some((c) => c !== '')) continue; // blank lines at the end of a sheet are common
    const cells = {} as Record<InspectionColumn, string>;
    for (const column of INSPECTION_COLUMNS)
      cells[column] = positions[column] < 0 ? '' : (line[positions[column]] ?? '');
    rows.push({ row: i + 1, cells });
  }
  return { rows, problems };
}

function readCsv(data: Buffer): string[][] {
  const text = data.toString('utf8');
  // A GBK file decoded as UTF-8 yields replacement characters: say so rather than report garbled names.
  if (text.includes('\uFFFD')) throw new Error('not UTF-8');
  const table: string[][] = parse(text, { bom: true, relax_column_count: true, trim: true, skip_empty_lines: false });
  return table;
}

async function readXlsx(data: Buffer): Promise<string[][]> {
  const workbook = new ExcelJS.Workbook();
  // exceljs's typings want its own Buffer type; a Node Buffer is what it reads.
  await workbook.xlsx.load(data as unknown as ExcelJS.Buffer);
  const sheet = workbook.worksheets[0];
  if (!sheet) return [];
  const table: string[][] = [];
  sheet.eachRow({ includeEmpty: true }, (row, rowNumber) => {
    const cells: string[] = [];
    row.eachCell({ includeEmpty: true }, (cell, col) => {
      cells[col - 1] = cellText(cell.value);
    });
    table[rowNumber - 1] = Array.from(cells, (c) => c ?? '');
  });
  return Array.from(table, (r) => r ?? []);
}

/** A cell as the text a person sees: dates as YYYY-MM-DD, numbers without grouping, rich text joined. */
function cellText(value: ExcelJS.CellValue): string {
  if (value === null || value === undefined) return '';
  // Excel dates carry no time zone; exceljs returns them as UTC midnight of the shown day.
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? '' : value.toISOString().slice(0, 10);
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (typeof value === 'string') return value.trim();
  if ('richText' in value)
    return value.richText
      .map((t) => t.text)
      .join('')
      .trim();
  if ('result' in value) return cellText(value.result ?? null);
  if ('text' in value) return String(value.text).trim();
  return '';
}
