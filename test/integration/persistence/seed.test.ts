/**
 * The demo data generator on a fresh database of its own: the variety the demos and the
 * campaign need (every institute, both admission routes, exam years around 2010 for the
 * photo route R7, approvals around 2021 for R11, inspection history for R13).
 */
import { isCertificateNo, provinceOfCertificateNo } from '@app/domain/certificate-number';
import { PROVINCES } from '@app/domain/provinces';
import { STAFF_ROLES } from '@app/domain/roles';
import {
  dataSourceOptions,
  FsBlobStore,
  isDatabaseEmpty,
  isValidIdNumber,
  runMigrations,
  seedDemoData,
  type SeedResult,
} from '@app/persistence';
import { verify } from '@node-rs/argon2';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DataSource } from 'typeorm';
import { createScratchDatabase, type ScratchDatabase } from './scratch-database';

const MEMBERS = 300;
const PASSWORD = 'Demo-2026!';

describe('seedDemoData', () => {
  let db: ScratchDatabase;
  let ds: DataSource;
  let blobDir: string;
  let blobStore: FsBlobStore;
  let result: SeedResult;
  let emptyBefore: boolean;

  beforeAll(async () => {
    db = await createScratchDatabase('seed');
    await runMigrations(db.url);
    ds = await new DataSource(dataSourceOptions(db.url)).initialize();
    blobDir = mkdtempSync(path.join(tmpdir(), 'seed-blobs-'));
    blobStore = new FsBlobStore(blobDir);
    emptyBefore = await isDatabaseEmpty(ds);
    result = await seedDemoData(ds, { members: MEMBERS, seed: 42, blobStore, demoPassword: PASSWORD });
  });

  afterAll(async () => {
    await ds?.destroy();
    await db?.drop();
    if (blobDir) rmSync(blobDir, { recursive: true, force: true });
  });

  it('reports what it created and the database is no longer empty', async () => {
    expect(emptyBefore).toBe(true);
    expect(await isDatabaseEmpty(ds)).toBe(false);
    expect(result).toMatchObject({ members: MEMBERS, staff: 2 * PROVINCES.length + 2 });
    const [{ count }] = await ds.query(`SELECT count(*)::int AS count FROM members`);
    expect(count).toBe(MEMBERS);
  });

  it('creates staff of all 4 roles, both provincial roles in every province, with the demo password', async () => {
    const staff: {
      username: string;
      role: string;
      province_code: string | null;
      display_name: string;
      password_hash: string;
    }[] = await ds.query(`SELECT username, role, province_code, display_name, password_hash FROM staff_accounts`);
    expect(new Set(staff.map((s) => s.role))).toEqual(new Set(STAFF_ROLES));
    for (const { code } of PROVINCES) {
      expect(staff).toContainEqual(
        expect.objectContaining({ username: `reviewer.${code}`, role: 'provincialReviewer', province_code: code }),
      );
      expect(staff).toContainEqual(
        expect.objectContaining({ username: `admin.${code}`, role: 'provincialAdmin', province_code: code }),
      );
    }
    expect(staff).toContainEqual(
      expect.objectContaining({ username: 'national.reviewer', role: 'nationalReviewer', province_code: null }),
    );
    expect(staff).toContainEqual(
      expect.objectContaining({ username: 'national.admin', role: 'nationalAdmin', province_code: null }),
    );
    expect(staff.every((s) => /^[\u4e00-\u9fff\u3400-\u4dbf·\u{20000}-\u{2ffff}]+$/u.test(s.display_name))).toBe(true);
    expect(await verify(staff[0].password_hash, PASSWORD)).toBe(true);
    // R15: every institute names someone responsible.
    const [{ unnamed }] = await ds.query(
      `SELECT count(*)::int AS unnamed FROM institutes WHERE responsible_name IS NULL`,
    );
    expect(unnamed).toBe(0);
  });

  it('spreads members over every province, both admission routes and both sides of 2010 and 2021', async () => {
    const members: {
      certificate_no: string;
      province_code: string;
      admission_route: string;
      exam_pass_year: number | null;
      joined_on: string;
      paper_certificate: string;
      must_change_password: boolean;
    }[] = await ds.query(
      `SELECT certificate_no, province_code, admission_route, exam_pass_year, joined_on::text, paper_certificate,
              must_change_password FROM members`,
    );
    expect(new Set(members.map((m) => m.province_code))).toEqual(new Set(PROVINCES.map((p) => p.code)));
    expect(new Set(members.map((m) => m.admission_route))).toEqual(new Set(['exam', 'assessment']));
    const examYears = members.filter((m) => m.admission_route === 'exam').map((m) => m.exam_pass_year!);
    expect(examYears.some((y) => y < 2010)).toBe(true);
    expect(examYears.some((y) => y >= 2010)).toBe(true);
    expect(members.filter((m) => m.admission_route === 'assessment').every((m) => m.exam_pass_year === null)).toBe(
      true,
    );
    expect(members.some((m) => m.joined_on < '2021-01-01')).toBe(true);
    expect(members.some((m) => m.joined_on >= '2021-01-01')).toBe(true);
    // R11: paper certificates only for members approved before 2021.
    for (const m of members) expect(m.paper_certificate).toBe(m.joined_on < '2021-01-01' ? 'valid' : 'none');
    expect(members.every((m) => m.must_change_password === false)).toBe(true);
  });

  it('numbers certificates from the counters, prefixed with the issuing institute', async () => {
    const rows: { certificate_no: string; province_code: string; from_province: string | null }[] = await ds.query(
      `SELECT m.certificate_no, m.province_code,
              (SELECT t.from_province FROM transfers t WHERE t.member_id = m.id ORDER BY t.transferred_on LIMIT 1) AS from_province
       FROM members m`,
    );
    for (const r of rows) {
      expect(isCertificateNo(r.certificate_no)).toBe(true);
      // A transferred member keeps the number of the institute that admitted them.
      expect(provinceOfCertificateNo(r.certificate_no)).toBe(r.from_province ?? r.province_code);
    }
    const counters: { province_code: string; last_serial: string; members: number; max_serial: string }[] =
      await ds.query(
        `SELECT c.province_code, c.last_serial, count(m.id)::int AS members, max(substr(m.certificate_no, 3))::bigint::text AS max_serial
       FROM certificate_number_counters c LEFT JOIN members m ON left(m.certificate_no, 2) = c.province_code
       GROUP BY 1, 2`,
      );
    for (const c of counters) {
      expect(Number(c.last_serial)).toBe(c.members);
      expect(c.max_serial).toBe(c.last_serial);
    }
  });

  it('gives valid ID numbers matching date of birth and gender', async () => {
    const members: { id_number: string; date_of_birth: string; gender: string; name: string; mobile: string }[] =
      await ds.query(`SELECT id_number, date_of_birth::text, gender, name, mobile FROM members`);
    for (const m of members) {
      expect(isValidIdNumber(m.id_number)).toBe(true);
      expect(m.id_number.slice(6, 14)).toBe(m.date_of_birth.replaceAll('-', ''));
      expect(Number(m.id_number[16]) % 2 === 1 ? 'M' : 'F').toBe(m.gender);
      expect(m.mobile).toMatch(/^1[3-9]\d{9}$/);
    }
    expect(new Set(members.map((m) => m.gender))).toEqual(new Set(['M', 'F']));
  });

  it('has inspections only within 2017–2025, at most one per member and year, mostly passed', async () => {
    const [stats] = await ds.query(
      `SELECT min(year) AS min, max(year) AS max, count(*)::int AS total,
              count(*) FILTER (WHERE result = 'passed')::int AS passed,
              count(*) FILTER (WHERE result = 'passed' AND passed_on IS NULL)::int AS passed_without_date,
              count(DISTINCT result)::int AS results
       FROM inspections`,
    );
    expect(stats.min).toBeGreaterThanOrEqual(2017);
    expect(stats.max).toBeLessThanOrEqual(2025);
    expect(stats.total).toBe(result.inspections);
    expect(stats.passed / stats.total).toBeGreaterThan(0.6);
    expect(stats.results).toBe(3);
    expect(stats.passed_without_date).toBe(0);
    const [{ before_joining }] = await ds.query(
      `SELECT count(*)::int AS before_joining FROM inspections i JOIN members m ON m.id = i.member_id
       WHERE i.year < extract(year FROM m.joined_on)`,
    );
    expect(before_joining).toBe(0);
  });

  it('stores exam photos (exam ≥ 2010 only) as real JPEGs in the blob store, shared between members', async () => {
    const photos: { blob_key: string; exam_year: number; exam_pass_year: number }[] = await ds.query(
      `SELECT p.blob_key, p.exam_year, m.exam_pass_year FROM exam_photos p JOIN members m ON m.id = p.member_id`,
    );
    expect(photos.length).toBeGreaterThan(0);
    expect(photos.every((p) => p.exam_year >= 2010 && p.exam_year === p.exam_pass_year)).toBe(true);
    const keys = [...new Set(photos.map((p) => p.blob_key))];
    expect(keys.length).toBeGreaterThan(5);
    expect(keys.length).toBeLessThan(photos.length); // shared: content-addressed, rendered once
    for (const key of keys) {
      const jpeg = await blobStore.get(key);
      expect([...jpeg.subarray(0, 3)]).toEqual([0xff, 0xd8, 0xff]);
      expect(jpeg.length).toBeGreaterThan(2000);
    }
  });

  it('writes transfers between two different institutes after joining', async () => {
    const transfers: {
      from_province: string;
      to_province: string;
      province_code: string;
      transferred_on: string;
      joined_on: string;
    }[] = await ds.query(
      `SELECT t.from_province, t.to_province, m.province_code, t.transferred_on::text, m.joined_on::text
         FROM transfers t JOIN members m ON m.id = t.member_id`,
    );
    expect(transfers.length).toBe(result.transfers);
    expect(transfers.length).toBeGreaterThan(0);
    for (const t of transfers) {
      expect(t.from_province).not.toBe(t.to_province);
      expect(t.to_province).toBe(t.province_code);
      expect(t.transferred_on > t.joined_on).toBe(true);
    }
  });

  it('is deterministic for a seed: the same people again, with new certificate numbers', async () => {
    const before: { name: string; id_number: string }[] = await ds.query(
      `SELECT name, id_number FROM members ORDER BY certificate_no`,
    );
    const again = await seedDemoData(ds, { members: MEMBERS, seed: 42, blobStore, demoPassword: PASSWORD });
    expect(again.staff).toBe(0); // existing accounts are kept
    const after: { name: string; id_number: string; certificate_no: string }[] = await ds.query(
      `SELECT name, id_number, certificate_no FROM members ORDER BY certificate_no`,
    );
    expect(after).toHaveLength(2 * MEMBERS);
    expect(new Set(after.map((m) => m.certificate_no)).size).toBe(2 * MEMBERS);
    const key = (m: { name: string; id_number: string }) => `${m.name}/${m.id_number}`;
    expect(new Set(after.map(key))).toEqual(new Set(before.map(key)));
  });
});
