import { beijingToday } from '@app/domain/beijing-date';
import { formatCertificateNo } from '@app/domain/certificate-number';
import type { EntityManager } from 'typeorm';
import { rowsOf } from './query-rows';

/**
 * Reserves `count` consecutive certificate serials of an institute and returns the first.
 * One atomic UPDATE … RETURNING: concurrent callers queue on the counter row, each gets
 * its own range, and the counter never goes back. Inside a transaction the row stays
 * locked until commit (admissions of one institute serialise; others are unaffected); on
 * rollback the range returns unused, so no number is ever given to two members.
 */
export async function reserveCertificateSerials(
  manager: EntityManager,
  provinceCode: string,
  count: number,
): Promise<number> {
  if (!Number.isInteger(count) || count < 1) throw new RangeError(`count must be a positive integer: ${count}`);
  const result: unknown = await manager.query(
    `UPDATE certificate_number_counters SET last_serial = last_serial + $2
     WHERE province_code = $1 RETURNING last_serial::text AS last`,
    [provinceCode, count],
  );
  const rows = rowsOf<{ last: string }>(result);
  if (!rows.length) throw new Error(`no certificate number counter for institute ${provinceCode}`);
  return Number(rows[0].last) - count + 1;
}

/** The next certificate number of an institute (see reserveCertificateSerials for the guarantees). */
export async function nextCertificateNo(manager: EntityManager, provinceCode: string): Promise<string> {
  return formatCertificateNo(provinceCode, await reserveCertificateSerials(manager, provinceCode, 1));
}

/**
 * A readable, unique application number: `SQ` + Beijing date + the next value of
 * `application_no_seq`, zero-padded to 6 digits (it grows past 6 only after a million
 * applications). Sequences are not transactional: a rolled-back application leaves a gap.
 */
export async function nextApplicationNo(manager: EntityManager, at: Date = new Date()): Promise<string> {
  const [{ seq }]: { seq: string }[] = await manager.query(`SELECT nextval('application_no_seq')::text AS seq`);
  // The Beijing date: an application filed at 07:00 Beijing time is dated that day, not the day before (UTC).
  return `SQ${beijingToday(at).replace(/-/g, '')}${seq.padStart(6, '0')}`;
}
