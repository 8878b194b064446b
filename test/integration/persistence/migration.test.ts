/**
 * The initial migration on a database of its own: it applies, matches the entities
 * exactly, enforces the constraints the workflows rely on (R18: one live task per wait;
 * R1: one valid certificate version), and reverts to nothing and applies again.
 */
import { PROVINCES } from '@app/domain/provinces';
import {
  dataSourceOptions,
  MIGRATIONS_TABLE,
  nextApplicationNo,
  nextCertificateNo,
  revertAllMigrations,
  runMigrations,
} from '@app/persistence';
import { DataSource, type QueryFailedError } from 'typeorm';
import { createScratchDatabase, MIGRATION_NAMES, type ScratchDatabase } from './scratch-database';

const OUR_TABLES = [
  'application_attachments',
  'applications',
  'audit_events',
  'campaign_members',
  'campaign_provinces',
  'certificate_number_counters',
  'certificates',
  'exam_photos',
  'inspections',
  'institutes',
  'members',
  'notifications',
  'photos',
  'staff_accounts',
  'tasks',
  'transfers',
];

/** The SQLSTATE of a failed statement (23505 unique violation, 23514 check violation…). */
async function sqlState(promise: Promise<unknown>): Promise<string | undefined> {
  try {
    await promise;
    return undefined;
  } catch (error) {
    return (error as QueryFailedError & { driverError?: { code?: string } }).driverError?.code ?? 'unknown';
  }
}

async function publicTables(ds: DataSource): Promise<string[]> {
  const rows: { name: string }[] = await ds.query(
    `SELECT table_name AS name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY 1`,
  );
  return rows.map((r) => r.name);
}

async function insertMember(ds: DataSource, certificateNo: string): Promise<string> {
  const [{ id }] = await ds.query(
    `INSERT INTO members (certificate_no, name, gender, id_number, date_of_birth, mobile, email, province_code,
       admission_route, exam_pass_year, joined_on, approval_doc_no, password_hash)
     VALUES ($1, '测试', 'F', '11010519491231002X', '1949-12-31', '13800000000', 't@example.com', '11',
       'exam', 2015, '2016-03-01', '北京注协〔2016〕1号', 'x')
     RETURNING id`,
    [certificateNo],
  );
  return id;
}

describe('initial migration', () => {
  let db: ScratchDatabase;
  let ds: DataSource;

  beforeAll(async () => {
    db = await createScratchDatabase('migration');
    const started = performance.now();
    const applied = await runMigrations(db.url);
    console.log(`migration up: ${(performance.now() - started).toFixed(0)} ms`);
    expect(applied).toEqual(MIGRATION_NAMES);
    ds = await new DataSource(dataSourceOptions(db.url)).initialize();
  });

  afterAll(async () => {
    await ds?.destroy();
    await db?.drop();
  });

  it('creates every table and nothing else', async () => {
    expect(await publicTables(ds)).toEqual([...OUR_TABLES, MIGRATIONS_TABLE].sort());
  });

  it('is a second time a no-op', async () => {
    expect(await runMigrations(db.url)).toEqual([]);
  });

  it('matches the entities exactly: TypeORM finds nothing to synchronise', async () => {
    const diff = await ds.driver.createSchemaBuilder().log();
    expect(diff.upQueries.map((q) => q.query)).toEqual([]);
  });

  it('seeds the 32 institutes as in PROVINCES, each with a counter at 0', async () => {
    const institutes: { code: string; name: string; institute_name: string }[] = await ds.query(
      `SELECT code, name, institute_name FROM institutes ORDER BY code`,
    );
    expect(institutes.map((i) => ({ code: i.code, name: i.name, instituteName: i.institute_name }))).toEqual(
      [...PROVINCES].sort((a, b) => a.code.localeCompare(b.code)).map((p) => ({ ...p })),
    );
    const counters: { province_code: string; last_serial: string }[] = await ds.query(
      `SELECT province_code, last_serial FROM certificate_number_counters ORDER BY 1`,
    );
    expect(counters).toHaveLength(32);
    expect(counters.every((c) => c.last_serial === '0')).toBe(true);
  });

  it('allows one open or claimed task per (workflow_id, wait_key), again once it is done', async () => {
    const insert = (status: string) =>
      ds.query(
        `INSERT INTO tasks (type, province_code, subject_type, subject_id, subject_label, workflow_id, wait_key, status)
         VALUES ('firstReview', '11', 'application', 'a1', '张三', 'application-SQ1', 'firstReview-1', $1) RETURNING id`,
        [status],
      );
    const [{ id }] = await insert('open');
    expect(await sqlState(insert('open'))).toBe('23505');
    await ds.query(`UPDATE tasks SET status = 'claimed' WHERE id = $1`, [id]);
    expect(await sqlState(insert('open'))).toBe('23505');
    await ds.query(`UPDATE tasks SET status = 'done' WHERE id = $1`, [id]);
    expect(await sqlState(insert('open'))).toBeUndefined();
    // A different wait of the same workflow is a different task.
    expect(
      await sqlState(
        ds.query(
          `INSERT INTO tasks (type, subject_type, subject_id, subject_label, workflow_id, wait_key)
           VALUES ('secondReview', 'application', 'a1', '张三', 'application-SQ1', 'secondReview-1')`,
        ),
      ),
    ).toBeUndefined();
    expect(await sqlState(insert('bogus'))).toBe('23514');
  });

  it('keeps at most one active version per certificate number', async () => {
    await insertMember(ds, '110000000901');
    const version = (v: number, status: string) =>
      ds.query(
        `INSERT INTO certificates (certificate_no, version, status, reason, snapshot, workflow_id)
         VALUES ('110000000901', $1, $2, 'firstIssue', '{}', $3)`,
        [v, status, `certificate-110000000901-v${v}`],
      );
    expect(await sqlState(version(1, 'active'))).toBeUndefined();
    expect(await sqlState(version(2, 'active'))).toBe('23505');
    expect(await sqlState(version(2, 'pending'))).toBeUndefined();
    expect(await sqlState(version(2, 'pending'))).toBe('23505'); // (certificate_no, version) is unique
    // Supersede, then activate: the order the issuance workflow uses.
    await ds.query(
      `UPDATE certificates SET status = 'superseded' WHERE certificate_no = '110000000901' AND version = 1`,
    );
    expect(
      await sqlState(
        ds.query(`UPDATE certificates SET status = 'active' WHERE certificate_no = '110000000901' AND version = 2`),
      ),
    ).toBeUndefined();
    expect(await sqlState(version(1, 'pending'))).toBe('23505'); // version 1 exists, superseded
    // A certificate needs a member with that number.
    expect(
      await sqlState(
        ds.query(
          `INSERT INTO certificates (certificate_no, version, reason, snapshot, workflow_id)
           VALUES ('119999999999', 1, 'firstIssue', '{}', 'w')`,
        ),
      ),
    ).toBe('23503');
  });

  it('binds provincial staff to a province and national staff to none', async () => {
    const staff = (username: string, role: string, province: string | null) =>
      ds.query(
        `INSERT INTO staff_accounts (username, display_name, password_hash, role, province_code) VALUES ($1, '某人', 'x', $2, $3)`,
        [username, role, province],
      );
    expect(await sqlState(staff('r.ok', 'provincialReviewer', '11'))).toBeUndefined();
    expect(await sqlState(staff('r.none', 'provincialReviewer', null))).toBe('23514');
    expect(await sqlState(staff('n.ok', 'nationalAdmin', null))).toBeUndefined();
    expect(await sqlState(staff('n.prov', 'nationalAdmin', '11'))).toBe('23514');
    expect(await sqlState(staff('x.role', 'superuser', null))).toBe('23514');
    expect(await sqlState(staff('Upper.Case', 'nationalAdmin', null))).toBe('23514');
    expect(await sqlState(staff('r.ok', 'nationalAdmin', null))).toBe('23505');
  });

  it('hands out certificate numbers from the counter, each once, also under concurrency', async () => {
    const numbers = await Promise.all(
      Array.from({ length: 20 }, () => ds.transaction((manager) => nextCertificateNo(manager, '47'))),
    );
    expect(new Set(numbers).size).toBe(20);
    expect([...numbers].sort()).toEqual(Array.from({ length: 20 }, (_, i) => `47${String(i + 1).padStart(10, '0')}`));
    // A rolled-back transaction returns its number; it was never given to anyone.
    await expect(
      ds.transaction(async (manager) => {
        await nextCertificateNo(manager, '47');
        throw new Error('admission failed');
      }),
    ).rejects.toThrow('admission failed');
    expect(await ds.transaction((manager) => nextCertificateNo(manager, '47'))).toBe('470000000021');
    await expect(ds.transaction((manager) => nextCertificateNo(manager, '99'))).rejects.toThrow(
      /no certificate number counter/,
    );
  });

  it('numbers applications SQ + Beijing date + sequence', async () => {
    // 2026-03-01 20:30 UTC is already 2 March in Beijing.
    const first = await nextApplicationNo(ds.manager, new Date('2026-03-01T20:30:00Z'));
    const second = await nextApplicationNo(ds.manager, new Date('2026-03-01T20:30:00Z'));
    expect(first).toMatch(/^SQ20260302\d{6}$/);
    expect(Number(second.slice(10))).toBe(Number(first.slice(10)) + 1);
  });

  it('reverts to no tables, sequences or functions of ours, and applies again', async () => {
    await ds.destroy();
    let started = performance.now();
    expect(await revertAllMigrations(db.url)).toEqual([...MIGRATION_NAMES].reverse());
    console.log(`migration down: ${(performance.now() - started).toFixed(0)} ms`);

    ds = await new DataSource(dataSourceOptions(db.url)).initialize();
    expect(await publicTables(ds)).toEqual([MIGRATIONS_TABLE]);
    const sequences: { name: string }[] = await ds.query(
      `SELECT sequence_name AS name FROM information_schema.sequences WHERE sequence_schema = 'public'`,
    );
    expect(sequences.map((s) => s.name)).toEqual([`${MIGRATIONS_TABLE}_id_seq`]);
    const functions: { name: string }[] = await ds.query(
      `SELECT p.proname AS name FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname = 'public'`,
    );
    expect(functions).toEqual([]);
    expect(await revertAllMigrations(db.url)).toEqual([]);

    started = performance.now();
    expect(await runMigrations(db.url)).toEqual(MIGRATION_NAMES);
    console.log(`migration up again: ${(performance.now() - started).toFixed(0)} ms`);
    expect(await publicTables(ds)).toEqual([...OUR_TABLES, MIGRATIONS_TABLE].sort());
    const [{ count }] = await ds.query(`SELECT count(*)::int AS count FROM institutes`);
    expect(count).toBe(32);
  });
});
