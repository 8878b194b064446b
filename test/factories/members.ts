/**
 * Many members of one province at once, for campaign tests (R11, R12, R19): one INSERT … SELECT FROM unnest per
 * table instead of a round trip (and a certificate-number reservation) per member as createMember does.
 */
import { hash } from '@node-rs/argon2';
import { formatCertificateNo } from '@app/domain/certificate-number';
import { makeIdNumber } from '@app/domain/id-number';
import type { DataSource } from 'typeorm';
import { reserveCertificateSerials } from '@app/persistence';
import { TEST_PASSWORD } from './accounts';

/** A bulk member's inspection for the campaign year; `missing` = no result recorded. */
export type BulkInspection = 'passed' | 'failed' | 'exempt' | 'missing';

export interface BulkMembersOptions {
  /** Year of the inspection results recorded for them (the campaign's year). */
  readonly inspectionYear: number;
  /**
   * Member i's inspection; default: passed, failed, exempt, missing in turn. Nobody gets a certificate row, so the
   * campaign reissues nothing (reissues would send every member through certificate rendering).
   */
  readonly inspection?: (i: number) => BulkInspection;
  /** Member i joined before 2021 (holds a paper certificate: the campaign invites them); default every other one. */
  readonly pre2021?: (i: number) => boolean;
}

/** What the campaign should count for these members (no certificates, no claims, before the deadline). */
export interface BulkMembersExpected {
  readonly total: number;
  readonly inspected: number;
  readonly failed: number;
  readonly pending: number;
  readonly invited: number;
}

const INSPECTIONS: readonly BulkInspection[] = ['passed', 'failed', 'exempt', 'missing'];

/** `count` active members of `provinceCode` with numbered certificate numbers, and their inspection results. */
export async function createMembersInBulk(
  ds: DataSource,
  provinceCode: string,
  count: number,
  options: BulkMembersOptions,
): Promise<{ ids: string[]; expected: BulkMembersExpected }> {
  const inspectionOf = options.inspection ?? ((i: number) => INSPECTIONS[i % INSPECTIONS.length]);
  const pre2021 = options.pre2021 ?? ((i: number) => i % 2 === 0);
  const passwordHash = await hash(TEST_PASSWORD);
  return ds.transaction(async (manager) => {
    const first = await reserveCertificateSerials(manager, provinceCode, count);
    const rows = Array.from({ length: count }, (_, i) => {
      const certificateNo = formatCertificateNo(provinceCode, first + i);
      const gender = i % 2 === 0 ? 'M' : 'F';
      const old = pre2021(i);
      return {
        certificateNo,
        name: `批量会员${i + 1}`,
        gender,
        idNumber: makeIdNumber(`${provinceCode}0102`, '1980-01-01', (first + i) % 1000, gender),
        email: `bulk${certificateNo}@example.com`,
        joinedOn: old ? '2016-03-01' : '2022-04-01',
        paperCertificate: old ? 'valid' : 'none',
      };
    });
    const column = <K extends keyof (typeof rows)[number]>(key: K) => rows.map((r) => r[key]);
    const inserted: { id: string; certificate_no: string }[] = await manager.query(
      `INSERT INTO members (certificate_no, name, gender, id_number, date_of_birth, mobile, email, province_code,
                            status, admission_route, exam_pass_year, joined_on, approval_doc_no, paper_certificate,
                            password_hash, must_change_password)
       SELECT n, nm, g, idn, '1980-01-01', '13800138000', e, $1, 'active', 'exam', 2015, j::date,
              '测试注协〔2016〕' || right(n, 3) || '号', p, $2, false
         FROM unnest($3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[])
           AS t(n, nm, g, idn, e, j, p)
       RETURNING id, certificate_no`,
      [
        provinceCode,
        passwordHash,
        column('certificateNo'),
        column('name'),
        column('gender'),
        column('idNumber'),
        column('email'),
        column('joinedOn'),
        column('paperCertificate'),
      ],
    );
    const idOf = new Map(inserted.map((r) => [r.certificate_no, r.id]));
    const ids = rows.map((r) => idOf.get(r.certificateNo)!);
    const results = ids.map((id, i) => ({ id, result: inspectionOf(i) })).filter((r) => r.result !== 'missing');
    await manager.query(
      `INSERT INTO inspections (member_id, year, result, passed_on, source)
       SELECT id, $1, r, CASE WHEN r = 'passed' THEN make_date($1, 6, 1) END, 'seed'
         FROM unnest($2::uuid[], $3::text[]) AS t(id, r)`,
      [options.inspectionYear, results.map((r) => r.id), results.map((r) => r.result)],
    );
    const all = ids.map((_, i) => inspectionOf(i));
    return {
      ids,
      expected: {
        total: count,
        inspected: all.filter((r) => r !== 'missing').length,
        failed: all.filter((r) => r === 'failed').length,
        pending: all.filter((r) => r === 'missing').length,
        invited: ids.filter((_, i) => pre2021(i)).length,
      },
    };
  });
}
