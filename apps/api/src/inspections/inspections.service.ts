import { HttpStatus, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { createHash } from 'node:crypto';
import { DataSource, type EntityManager } from 'typeorm';
import { beijingToday } from '@app/domain/beijing-date';
import { findProvince } from '@app/domain/provinces';
import { canActInProvince } from '@app/domain/roles';
import { appendAudit, type InspectionResult } from '@app/persistence';
import { AppException, Errors } from '../common/app-exception';
import type { StaffPrincipal } from '../common/principal';
import { assertProvinceAccess } from '../auth/province-scope';
import { parseInspectionFile, type FileRow, type InspectionColumn } from './inspection-file';

/** The first year with results on file (R13: history from 2017). */
export const FIRST_INSPECTION_YEAR = 2017;

export const RESULT_LABELS: Record<InspectionResult, string> = { passed: '通过', failed: '不通过', exempt: '免检' };

/** Accepted spellings of a result, Chinese or English. */
const RESULT_WORDS: Record<string, InspectionResult> = {
  通过: 'passed',
  合格: 'passed',
  passed: 'passed',
  pass: 'passed',
  不通过: 'failed',
  未通过: 'failed',
  不合格: 'failed',
  failed: 'failed',
  fail: 'failed',
  免检: 'exempt',
  exempt: 'exempt',
};

const MAX_REMARK_LENGTH = 500;

export interface RowProblem {
  /** Row number in the file (header = 1); 0 for the file as a whole. */
  row: number;
  field: string;
  message: string;
}

export interface Changes {
  insert: number;
  update: number;
  unchanged: number;
}

export interface DryRunReport {
  fileName: string;
  sha256: string;
  rows: number;
  valid: number;
  problems: RowProblem[];
  changes: Changes;
}

export interface UploadReport extends DryRunReport {
  written: boolean;
}

export interface InspectionInput {
  certificateNo: string;
  year: number;
  result: InspectionResult;
  passedOn: string | null;
  remark: string | null;
}

interface CheckedRow {
  row: number;
  memberId: string;
  provinceCode: string;
  year: number;
  result: InspectionResult;
  passedOn: string | null;
  remark: string | null;
}

interface HistoryRow {
  year: number;
  result: InspectionResult;
  passedOn: string | null;
  remark: string | null;
  source: string;
  recordedAt: Date;
  recordedBy: string | null;
}

interface MemberRef {
  id: string;
  certificate_no: string;
  province_code: string;
}

/** A calendar date written YYYY-MM-DD (or with / or .), that exists; null otherwise. */
function parseDate(text: string): string | null {
  const m = /^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})$/.exec(text);
  if (!m) return null;
  const iso = `${m[1]}-${m[2].padStart(2, '0')}-${m[3].padStart(2, '0')}`;
  const d = new Date(`${iso}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === iso ? iso : null;
}

/**
 * Annual inspection results (R13): file uploads with a dry run, and single results recorded in the console.
 * Provincial staff write only their own province's members; national staff any.
 */
@Injectable()
export class InspectionsService {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** Checks every row and counts what the upload would change; writes nothing. */
  async dryRun(staff: StaffPrincipal, fileName: string, data: Buffer): Promise<DryRunReport> {
    const { report } = await this.check(staff, fileName, data);
    return report;
  }

  /**
   * All or nothing: any problem refuses the whole file (400 with the list). Otherwise one transaction upserts the
   * rows that differ and appends one audit event, also when nothing differs (the attempt is a decision on record).
   */
  async upload(staff: StaffPrincipal, fileName: string, data: Buffer): Promise<UploadReport> {
    const { report, rows } = await this.check(staff, fileName, data);
    if (report.problems.length) {
      throw new AppException(
        'INSPECTION_FILE_INVALID',
        `文件中有 ${report.problems.length} 处问题，未导入任何数据；请修改后重新上传。`,
        HttpStatus.BAD_REQUEST,
        report.problems.map((p) => ({ field: `第${p.row}行.${p.field}`, messages: [p.message] })),
      );
    }
    const changes = await this.dataSource.transaction(async (manager) => {
      const changes = await this.upsert(manager, rows, 'upload', staff.id);
      const provinces = [...new Set(rows.map((r) => r.provinceCode))].sort();
      await appendAudit(manager, {
        actorType: 'staff',
        actorId: staff.id,
        actorLabel: staff.username,
        action: 'inspection.upload',
        subjectType: 'inspectionFile',
        subjectId: report.sha256,
        provinceCode: staff.provinceCode ?? (provinces.length === 1 ? provinces[0] : null),
        detail: {
          fileName,
          sha256: report.sha256,
          rows: report.rows,
          ...changes,
          years: [...new Set(rows.map((r) => r.year))].sort(),
          provinces,
        },
      });
      return changes;
    });
    return { ...report, changes, written: changes.insert + changes.update > 0 };
  }

  /** One member's result for one year, from the console form or the API. Audited, also when nothing changed. */
  async record(staff: StaffPrincipal, input: InspectionInput) {
    const member = await this.findMember(staff, input.certificateNo);
    const passedOn = input.passedOn ? parseDate(input.passedOn) : null;
    const problems = this.checkValues(
      input.year,
      input.result,
      input.passedOn && !passedOn ? undefined : passedOn,
      input.remark ?? '',
    );
    if (input.passedOn && !passedOn) {
      problems.push({ field: 'passedOn', message: `通过日期“${input.passedOn}”不是有效日期，应写作 YYYY-MM-DD` });
    }
    if (problems.length) {
      throw Errors.validation(problems.map((p) => ({ field: p.field, messages: [p.message] })));
    }
    const row: CheckedRow = {
      row: 0,
      memberId: member.id,
      provinceCode: member.province_code,
      year: input.year,
      result: input.result,
      passedOn: input.result === 'passed' ? passedOn : null,
      remark: input.remark || null,
    };
    const changes = await this.dataSource.transaction(async (manager) => {
      const [previous] = await manager.query<{ result: string; passedOn: string | null; remark: string | null }[]>(
        `SELECT result, passed_on::text AS "passedOn", remark FROM inspections WHERE member_id = $1 AND year = $2`,
        [member.id, input.year],
      );
      const changes = await this.upsert(manager, [row], 'console', staff.id);
      await appendAudit(manager, {
        actorType: 'staff',
        actorId: staff.id,
        actorLabel: staff.username,
        action: 'inspection.record',
        subjectType: 'member',
        subjectId: member.id,
        provinceCode: member.province_code,
        detail: {
          certificateNo: member.certificate_no,
          year: row.year,
          result: row.result,
          passedOn: row.passedOn,
          remark: row.remark,
          previous: previous ?? null,
          changed: changes.insert + changes.update > 0,
        },
      });
      return changes;
    });
    return { certificateNo: member.certificate_no, year: row.year, ...changes };
  }

  /** A member's results, newest year first. */
  async history(staff: StaffPrincipal, certificateNo: string) {
    const member = await this.findMember(staff, certificateNo);
    const rows = await this.dataSource.query<HistoryRow[]>(
      `SELECT i.year, i.result, i.passed_on::text AS "passedOn", i.remark, i.source, i.recorded_at AS "recordedAt",
              s.display_name AS "recordedBy"
       FROM inspections i LEFT JOIN staff_accounts s ON s.id = i.recorded_by
       WHERE i.member_id = $1 ORDER BY i.year DESC`,
      [member.id],
    );
    return {
      certificateNo: member.certificate_no,
      name: member.name,
      items: rows.map((r) => ({
        ...r,
        resultLabel: RESULT_LABELS[r.result],
        recordedAt: new Date(r.recordedAt).toISOString(),
      })),
    };
  }

  private async findMember(staff: StaffPrincipal, certificateNo: string) {
    const [member] = await this.dataSource.query<(MemberRef & { name: string })[]>(
      `SELECT id, certificate_no, province_code, name FROM members WHERE certificate_no = $1`,
      [certificateNo],
    );
    if (!member) throw Errors.notFound('该会员，请核对证书编号');
    assertProvinceAccess(staff, member.province_code);
    return member;
  }

  /** Parses and checks the file: every row's problems, and what a real upload would change. */
  private async check(
    staff: StaffPrincipal,
    fileName: string,
    data: Buffer,
  ): Promise<{ report: DryRunReport; rows: CheckedRow[] }> {
    const sha256 = createHash('sha256').update(data).digest('hex');
    const parsed = await parseInspectionFile(data);
    const problems: RowProblem[] = [...parsed.problems];
    if (!parsed.problems.length && !parsed.rows.length) {
      problems.push({ row: 0, field: 'file', message: '文件中没有数据行' });
    }
    // One query for all members named in the file, however many rows.
    const numbers = [...new Set(parsed.rows.map((r) => r.cells.memberNo))];
    const members = new Map<string, MemberRef>();
    if (numbers.length) {
      const found = await this.dataSource.query<MemberRef[]>(
        `SELECT id, certificate_no, province_code FROM members WHERE certificate_no = ANY($1::text[])`,
        [numbers],
      );
      for (const m of found) members.set(m.certificate_no, m);
    }
    const seen = new Map<string, number>();
    const rows: CheckedRow[] = [];
    for (const fileRow of parsed.rows) {
      const checked = this.checkRow(staff, fileRow, members, seen, problems);
      if (checked) rows.push(checked);
    }
    const changes = await this.diff(rows);
    return {
      report: {
        fileName,
        sha256,
        rows: parsed.rows.length,
        valid: rows.length,
        problems,
        changes,
      },
      rows,
    };
  }

  private checkRow(
    staff: StaffPrincipal,
    { row, cells }: FileRow,
    members: Map<string, MemberRef>,
    seen: Map<string, number>,
    problems: RowProblem[],
  ): CheckedRow | null {
    const before = problems.length;
    const add = (field: InspectionColumn, message: string) => problems.push({ row, field, message });
    const member = members.get(cells.memberNo);
    if (!cells.memberNo) add('memberNo', '证书编号不能为空');
    else if (!/^\d{12}$/.test(cells.memberNo)) add('memberNo', `证书编号“${cells.memberNo}”应为 12 位数字`);
    else if (!member) add('memberNo', `证书编号 ${cells.memberNo} 不存在`);
    else if (!canActInProvince(staff, member.province_code)) {
      const province = findProvince(member.province_code)?.instituteName ?? member.province_code;
      add('memberNo', `会员 ${cells.memberNo} 属于${province}，不能由本会导入`);
    }
    const year = /^\d{4}$/.test(cells.year) ? Number(cells.year) : NaN;
    const result = RESULT_WORDS[cells.result.toLowerCase()];
    if (!cells.year) add('year', '年度不能为空');
    else if (Number.isNaN(year)) add('year', `年度“${cells.year}”应为 4 位年份`);
    if (!cells.result) add('result', '结果不能为空');
    else if (!result) add('result', `结果“${cells.result}”无法识别，应为 通过、不通过 或 免检（passed/failed/exempt）`);
    const passedOn = cells.passedOn ? parseDate(cells.passedOn) : null;
    if (cells.passedOn && !passedOn) add('passedOn', `通过日期“${cells.passedOn}”不是有效日期，应写作 YYYY-MM-DD`);
    const valueProblems = this.checkValues(
      Number.isNaN(year) ? null : year,
      result ?? null,
      cells.passedOn && !passedOn ? undefined : passedOn,
      cells.remark,
    );
    for (const p of valueProblems) add(p.field, p.message);
    if (member && !Number.isNaN(year)) {
      const key = `${member.id}:${year}`;
      const first = seen.get(key);
      if (first !== undefined) add('memberNo', `与第 ${first} 行重复（同一会员同一年度只能有一条结果）`);
      else seen.set(key, row);
    }
    if (problems.length > before || !member || !result) return null;
    return {
      row,
      memberId: member.id,
      provinceCode: member.province_code,
      year,
      result,
      passedOn: result === 'passed' ? passedOn : null,
      remark: cells.remark || null,
    };
  }

  /**
   * The rules shared by file rows and the single-result form. `passedOn` undefined means "given but not a date"
   * (already reported); null means "not given".
   */
  private checkValues(
    year: number | null,
    result: InspectionResult | null,
    passedOn: string | null | undefined,
    remark: string,
  ): { field: InspectionColumn; message: string }[] {
    const problems: { field: InspectionColumn; message: string }[] = [];
    const today = beijingToday();
    const currentYear = Number(today.slice(0, 4));
    if (year !== null && year < FIRST_INSPECTION_YEAR) {
      problems.push({ field: 'year', message: `年度 ${year} 早于 ${FIRST_INSPECTION_YEAR} 年，不能导入` });
    } else if (year !== null && year > currentYear) {
      problems.push({ field: 'year', message: `年度 ${year} 尚未到来` });
    }
    if (result === 'passed' && passedOn === null) {
      problems.push({ field: 'passedOn', message: '结果为“通过”时须填写通过日期' });
    } else if (result && result !== 'passed' && passedOn) {
      problems.push({ field: 'passedOn', message: `结果为“${RESULT_LABELS[result]}”时不应填写通过日期` });
    } else if (result === 'passed' && passedOn) {
      if (year !== null && passedOn < `${year}-01-01`) {
        problems.push({ field: 'passedOn', message: `通过日期 ${passedOn} 早于 ${year} 年度，应在该年度内或之后` });
      } else if (passedOn > today) {
        problems.push({ field: 'passedOn', message: `通过日期 ${passedOn} 晚于今天` });
      }
    }
    if (remark.length > MAX_REMARK_LENGTH) {
      problems.push({ field: 'remark', message: `备注不超过 ${MAX_REMARK_LENGTH} 个字符` });
    }
    return problems;
  }

  /** What an upsert of these rows would do, from one query over the members' existing results. */
  private async diff(rows: CheckedRow[]): Promise<Changes> {
    const changes: Changes = { insert: 0, update: 0, unchanged: 0 };
    if (!rows.length) return changes;
    const existing = await this.dataSource.query<
      { member_id: string; year: number; result: string; passed_on: string | null; remark: string | null }[]
    >(
      `SELECT member_id, year, result, passed_on::text AS passed_on, remark
       FROM inspections WHERE member_id = ANY($1::uuid[])`,
      [[...new Set(rows.map((r) => r.memberId))]],
    );
    const byKey = new Map(existing.map((e) => [`${e.member_id}:${e.year}`, e]));
    for (const r of rows) {
      const e = byKey.get(`${r.memberId}:${r.year}`);
      if (!e) changes.insert++;
      else if (e.result !== r.result || e.passed_on !== r.passedOn || e.remark !== r.remark) changes.update++;
      else changes.unchanged++;
    }
    return changes;
  }

  /**
   * One statement for any number of rows (arrays through unnest). A row that matches what is stored is not touched,
   * so re-uploading a file keeps recorded_by/recorded_at of the first upload. The counts come from the statement
   * itself, so they are right even if someone changed a result since the dry run.
   */
  private async upsert(
    manager: EntityManager,
    rows: CheckedRow[],
    source: 'upload' | 'console',
    staffId: string,
  ): Promise<Changes> {
    if (!rows.length) return { insert: 0, update: 0, unchanged: 0 };
    const written = await manager.query<{ inserted: boolean }[]>(
      `INSERT INTO inspections (member_id, year, result, passed_on, remark, source, recorded_by, recorded_at)
       SELECT t.member_id, t.year, t.result, t.passed_on, t.remark, $6, $7, now()
       FROM unnest($1::uuid[], $2::int[], $3::text[], $4::date[], $5::text[])
         AS t(member_id, year, result, passed_on, remark)
       ON CONFLICT ON CONSTRAINT inspections_member_year_key DO UPDATE
         SET result = EXCLUDED.result, passed_on = EXCLUDED.passed_on, remark = EXCLUDED.remark,
             source = EXCLUDED.source, recorded_by = EXCLUDED.recorded_by, recorded_at = EXCLUDED.recorded_at
         WHERE (inspections.result, inspections.passed_on, inspections.remark)
           IS DISTINCT FROM (EXCLUDED.result, EXCLUDED.passed_on, EXCLUDED.remark)
       RETURNING (xmax = 0) AS inserted`,
      [
        rows.map((r) => r.memberId),
        rows.map((r) => r.year),
        rows.map((r) => r.result),
        rows.map((r) => r.passedOn),
        rows.map((r) => r.remark),
        source,
        staffId,
      ],
    );
    const insert = written.filter((w) => w.inserted).length;
    return { insert, update: written.length - insert, unchanged: rows.length - written.length };
  }
}
