import { formatCertificateNo } from '@app/domain/certificate-number';
import { PROVINCES, type Province } from '@app/domain/provinces';
import type { StaffRole } from '@app/domain/roles';
import { hash as argon2Hash } from '@node-rs/argon2';
import { randomBytes } from 'node:crypto';
import type { DataSource, EntityManager } from 'typeorm';
import type { BlobStore } from '../blob-store';
import { reserveCertificateSerials } from '../numbers';
import { makeIdNumber } from '@app/domain/id-number';
import { generateName } from './names';
import { renderPortraits } from './portraits';
import { Prng } from './prng';

export interface SeedOptions {
  /** How many members to create (spread over all 32 institutes once there are at least 32). */
  members: number;
  /** PRNG seed: the same seed gives the same people (ids and certificate numbers aside). */
  seed?: number;
  blobStore: BlobStore;
  /** Password of every demo staff account and member. */
  demoPassword: string;
  /** Members per INSERT statement. */
  batchSize?: number;
  /** How many distinct portrait photos to render and share among members. */
  portraits?: number;
  log?: (message: string) => void;
}

export interface SeedResult {
  staff: number;
  members: number;
  examPhotos: number;
  inspections: number;
  transfers: number;
  portraits: number;
  ms: number;
}

/** Years of annual-inspection history in the demo (R13: from 2017). */
export const FIRST_INSPECTION_YEAR = 2017;
export const LAST_INSPECTION_YEAR = 2025;
/** Demo members joined on or before this date, so the data does not depend on the day it is generated. */
const LAST_JOINED_ON = '2025-10-31';

// Rough relative sizes of the institutes' membership: big cities and coastal provinces first.
// prettier-ignore
const PROVINCE_WEIGHTS: Record<string, number> = {
  '11': 12, '12': 3, '13': 4, '14': 2, '15': 1.5, '21': 4, '22': 2, '23': 2.5, '31': 10, '32': 9, '33': 8,
  '34': 3, '35': 4, '36': 2, '37': 7, '41': 5, '42': 5, '43': 4, '44': 9, '45': 2, '46': 1, '47': 5, '50': 3,
  '51': 5, '52': 1.5, '53': 2, '54': 0.3, '61': 3, '62': 1.2, '63': 0.5, '64': 0.5, '65': 1.5,
};

// prettier-ignore
const MOBILE_PREFIXES = ['130', '131', '132', '135', '136', '137', '138', '139', '150', '151', '152', '155', '157',
  '158', '159', '166', '177', '180', '181', '182', '185', '186', '187', '188', '189', '191', '199'];
const STREETS = ['人民路', '中山路', '解放路', '建设路', '和平路', '长江路', '新华路', '文化路', '金融街', '滨江大道'];
const EMAIL_DOMAINS = ['example.com', 'example.cn', 'example.net', 'example.org'];

const STAFF_PLAN: readonly { role: StaffRole; username: (code: string) => string; title: string }[] = [
  { role: 'provincialReviewer', username: (code) => `reviewer.${code}`, title: '审核员' },
  { role: 'provincialAdmin', username: (code) => `admin.${code}`, title: '管理员' },
];

interface DemoMember {
  id: string;
  certificateNo: string;
  name: string;
  gender: 'M' | 'F';
  idNumber: string;
  dateOfBirth: string;
  mobile: string;
  email: string;
  address: string | null;
  /** The institute now; differs from the certificate number's prefix after a transfer. */
  provinceCode: string;
  status: 'active' | 'suspended' | 'cancelled';
  admissionRoute: 'exam' | 'assessment';
  examPassYear: number | null;
  examPassCertNo: string | null;
  joinedOn: string;
  approvalDocNo: string;
  paperCertificate: 'none' | 'valid';
  transfer: { from: string; to: string; on: string; approvalDocNo: string } | null;
}

const pad2 = (n: number) => String(n).padStart(2, '0');

function dateIn(prng: Prng, year: number, fromMonth = 1, toMonth = 12): string {
  const month = prng.int(fromMonth, toMonth);
  const days = new Date(Date.UTC(year, month, 0)).getUTCDate();
  return `${year}-${pad2(month)}-${pad2(prng.int(1, days))}`;
}

function mobile(prng: Prng): string {
  return prng.pick(MOBILE_PREFIXES) + prng.digits(8);
}

/** A plausible 6-digit ID region code: a district of the province's capital (Shenzhen's are 4403xx). */
function idRegion(prng: Prng, provinceCode: string): string {
  return provinceCode === '47' ? `4403${pad2(prng.int(3, 7))}` : `${provinceCode}01${pad2(prng.int(2, 9))}`;
}

function approvalDocNo(prng: Prng, province: Province, year: number): string {
  return `${province.name}注协〔${year}〕${prng.int(1, 320)}号`;
}

/** How many members each institute gets: one each first (so every institute has members), then by weight. */
function membersPerProvince(prng: Prng, total: number): Map<string, number> {
  const counts = new Map(PROVINCES.map((p) => [p.code, 0]));
  const weights = PROVINCES.map((p) => [p.code, PROVINCE_WEIGHTS[p.code] ?? 1] as const);
  for (let i = 0; i < total; i++) {
    const code = i < PROVINCES.length ? PROVINCES[i].code : prng.weighted(weights);
    counts.set(code, counts.get(code)! + 1);
  }
  return counts;
}

function generateMember(prng: Prng, province: Province): Omit<DemoMember, 'id' | 'certificateNo' | 'email'> {
  const gender = prng.chance(0.52) ? 'M' : 'F';
  const { name } = generateName(prng, gender, province.code);
  const byExam = prng.chance(0.85);
  let examPassYear: number | null = null;
  let joinedYear: number;
  let birthYear: number;
  if (byExam) {
    // More recent years are more frequent (the exam grew), r^1.4 skews towards 0 = recent.
    examPassYear = 2024 - Math.floor(29 * prng.next() ** 1.4);
    joinedYear = Math.min(2025, examPassYear + prng.int(0, 3));
    birthYear = examPassYear - prng.int(22, 40);
  } else {
    // Admission by assessment (考核) belongs to the early years of the profession.
    joinedYear = prng.int(1995, 2015);
    birthYear = joinedYear - prng.int(30, 50);
  }
  let joinedOn = dateIn(prng, joinedYear);
  if (joinedOn > LAST_JOINED_ON) joinedOn = dateIn(prng, joinedYear, 1, 10);
  const dateOfBirth = dateIn(prng, birthYear);
  const status = prng.weighted([
    ['active', 97],
    ['suspended', 2],
    ['cancelled', 1],
  ] as const);
  return {
    name,
    gender,
    idNumber: makeIdNumber(idRegion(prng, province.code), dateOfBirth, prng.int(0, 999), gender),
    dateOfBirth,
    mobile: mobile(prng),
    address: prng.chance(0.8)
      ? `${province.name}${prng.pick(STREETS)}${prng.int(1, 999)}号${prng.int(1, 30)}栋${prng.int(101, 2808)}室`
      : null,
    provinceCode: province.code,
    status,
    admissionRoute: byExam ? 'exam' : 'assessment',
    examPassYear,
    examPassCertNo: examPassYear === null ? null : `${examPassYear}${province.code}${prng.digits(6)}`,
    joinedOn,
    approvalDocNo: approvalDocNo(prng, province, joinedYear),
    // R11: approved before 2021 → a paper certificate, still valid until 2025-12-31.
    paperCertificate: joinedOn < '2021-01-01' ? 'valid' : 'none',
    transfer: null,
  };
}

/**
 * Rows for one table, buffered column by column for INSERT … SELECT FROM unnest($1::t[], …):
 * thousands of rows in one statement, with parameters (no SQL built from data).
 */
class BulkInsert {
  private values: unknown[][];

  constructor(
    readonly table: string,
    private readonly columns: readonly (readonly [name: string, pgType: string])[],
    private readonly suffix = '',
  ) {
    this.values = columns.map(() => []);
  }

  get length(): number {
    return this.values[0].length;
  }

  push(...row: unknown[]): void {
    row.forEach((value, i) => this.values[i].push(value));
  }

  /** The INSERT for the buffered rows, numbering parameters from `offset + 1`; empties the buffer. */
  take(offset: number): { sql: string; params: unknown[][]; rows: number } {
    const names = this.columns.map(([name]) => name).join(', ');
    const arrays = this.columns.map(([, type], i) => `$${offset + i + 1}::${type}[]`).join(', ');
    const params = this.values;
    const rows = this.length;
    this.values = this.columns.map(() => []);
    return {
      sql: `INSERT INTO ${this.table} (${names}) SELECT * FROM unnest(${arrays}) ${this.suffix}`.trim(),
      params,
      rows,
    };
  }
}

/**
 * Sends the buffered rows of several tables as ONE statement (data-modifying CTEs), in
 * parent-first order. Foreign keys are checked at the end of the statement, so children
 * may reference parents inserted beside them. Returns the rows sent per table.
 */
function sendTogether(manager: EntityManager, tables: BulkInsert[]): { sent: Promise<void>; rows: number[] } {
  const parts: string[] = [];
  const params: unknown[][] = [];
  const rows = tables.map((table) => {
    if (table.length === 0) return 0;
    const part = table.take(params.length);
    parts.push(part.sql);
    params.push(...part.params);
    return part.rows;
  });
  if (parts.length === 0) return { sent: Promise.resolve(), rows };
  const last = parts.pop()!;
  const sql = parts.length ? `WITH ${parts.map((p, i) => `p${i} AS (${p})`).join(', ')} ${last}` : last;
  return { sent: manager.query(sql, params).then(() => undefined), rows };
}

/**
 * Time-ordered UUIDs (version 7 layout: start time, then a counter, then a per-run random
 * tail). Rows inserted in key order append to the primary-key and (member_id, year)
 * indexes instead of hitting random pages, which makes the bulk insert about twice as fast
 * as random v4 ids; the foreign-key checks then find their member in a hot page too.
 */
export class OrderedUuids {
  private readonly prefix = Date.now().toString(16).padStart(12, '0');
  private readonly tail = randomBytes(4).toString('hex');
  private counter = 0;

  next(): string {
    const c = (this.counter++).toString(16).padStart(10, '0');
    const t = this.prefix;
    return `${t.slice(0, 8)}-${t.slice(8, 12)}-7${c.slice(0, 3)}-8${c.slice(3, 6)}-${c.slice(6, 10)}${this.tail}`;
  }
}

/** True when no staff account exists yet: the cue for `seed --if-empty` on first start. */
export async function isDatabaseEmpty(dataSource: DataSource): Promise<boolean> {
  const [{ empty }]: { empty: boolean }[] = await dataSource.query(
    `SELECT NOT EXISTS (SELECT 1 FROM staff_accounts) AS empty`,
  );
  return empty;
}

/**
 * Fills a migrated database with demo data: staff of every role for every institute,
 * `members` members with realistic variety (names, ID numbers, both admission routes,
 * exam years on both sides of 2010, approvals on both sides of 2021, photos, inspection
 * history, transfers). Runs in one transaction. Staff accounts that already exist are left
 * alone, so it can run again to add members.
 */
export async function seedDemoData(dataSource: DataSource, options: SeedOptions): Promise<SeedResult> {
  const started = Date.now();
  const log = options.log ?? (() => undefined);
  const prng = new Prng(options.seed ?? 20201234);
  const batchSize = options.batchSize ?? 5000;
  if (!Number.isInteger(options.members) || options.members < 0) {
    throw new RangeError(`members must be a non-negative integer: ${options.members}`);
  }
  if (!options.demoPassword) throw new Error('demoPassword is required');

  // One argon2 hash shared by every demo account: hashing per member would take hours.
  const [passwordHash, portraits] = await Promise.all([
    argon2Hash(options.demoPassword),
    renderPortraits(new Prng((options.seed ?? 20201234) ^ 0x5eed), options.portraits ?? 40),
  ]);
  const portraitKeys = await Promise.all(portraits.map((jpeg) => options.blobStore.put(jpeg, 'image/jpeg')));
  log(`rendered ${portraits.length} portraits`);

  const result: SeedResult = {
    staff: 0,
    members: 0,
    examPhotos: 0,
    inspections: 0,
    transfers: 0,
    portraits: new Set(portraitKeys).size,
    ms: 0,
  };

  await dataSource.transaction(async (manager) => {
    result.staff = await seedStaff(manager, prng, passwordHash);
    log(`staff accounts created: ${result.staff}`);

    const members = new BulkInsert('members', [
      ['id', 'uuid'],
      ['certificate_no', 'char(12)'],
      ['name', 'text'],
      ['gender', 'char(1)'],
      ['id_number', 'varchar(18)'],
      ['date_of_birth', 'date'],
      ['mobile', 'text'],
      ['email', 'text'],
      ['address', 'text'],
      ['province_code', 'char(2)'],
      ['status', 'varchar(16)'],
      ['admission_route', 'varchar(16)'],
      ['exam_pass_year', 'int'],
      ['exam_pass_cert_no', 'text'],
      ['joined_on', 'date'],
      ['approval_doc_no', 'text'],
      ['paper_certificate', 'varchar(8)'],
      ['password_hash', 'text'],
      ['must_change_password', 'boolean'],
    ]);
    const examPhotos = new BulkInsert('exam_photos', [
      ['member_id', 'uuid'],
      ['blob_key', 'text'],
      ['exam_year', 'int'],
    ]);
    const inspections = new BulkInsert('inspections', [
      ['id', 'uuid'],
      ['member_id', 'uuid'],
      ['year', 'int'],
      ['result', 'varchar(16)'],
      ['passed_on', 'date'],
      ['remark', 'text'],
      ['source', 'varchar(16)'],
    ]);
    const transfers = new BulkInsert('transfers', [
      ['member_id', 'uuid'],
      ['from_province', 'char(2)'],
      ['to_province', 'char(2)'],
      ['transferred_on', 'date'],
      ['approval_doc_no', 'text'],
    ]);

    // While PostgreSQL inserts one batch, the next is generated: one statement in flight
    // at a time (a pg connection runs one query at a time), both processes busy.
    let inFlight: Promise<void> = Promise.resolve();
    const flush = async () => {
      await inFlight;
      const { sent, rows } = sendTogether(manager, [members, examPhotos, inspections, transfers]);
      sent.catch(() => undefined); // awaited at the next flush; this only keeps it from counting as unhandled meanwhile
      inFlight = sent;
      result.members += rows[0];
      result.examPhotos += rows[1];
      result.inspections += rows[2];
      result.transfers += rows[3];
    };
    const ids = new OrderedUuids();

    // Certificate numbers come from the institutes' counters (never reused), reserved in
    // one block per institute before any insert is in flight.
    const counts = membersPerProvince(prng, options.members);
    const firstSerials = new Map<string, number>();
    for (const [code, count] of counts) {
      if (count > 0) firstSerials.set(code, await reserveCertificateSerials(manager, code, count));
    }
    for (const province of PROVINCES) {
      const count = counts.get(province.code)!;
      if (count === 0) continue;
      // Numbered in order of admission within the institute.
      const generated = Array.from({ length: count }, () => generateMember(prng, province));
      generated.sort((a, b) => (a.joinedOn < b.joinedOn ? -1 : a.joinedOn > b.joinedOn ? 1 : 0));
      const firstSerial = firstSerials.get(province.code)!;

      for (let i = 0; i < count; i++) {
        const m = generated[i];
        const id = ids.next();
        const certificateNo = formatCertificateNo(province.code, firstSerial + i);
        const email = `m${certificateNo}@${prng.pick(EMAIL_DOMAINS)}`;
        // About 1 in 100 moved to another institute; the certificate number stays.
        // The first member of each institute stays, so every institute keeps members.
        if (i > 0 && prng.chance(0.01) && m.joinedOn < '2025-01-01') {
          let to = prng.pick(PROVINCES);
          if (to.code === province.code) to = PROVINCES[(PROVINCES.indexOf(to) + 1) % PROVINCES.length];
          const year = prng.int(Number(m.joinedOn.slice(0, 4)) + 1, 2025);
          m.provinceCode = to.code;
          m.transfer = {
            from: province.code,
            to: to.code,
            on: dateIn(prng, year, 1, 10),
            approvalDocNo: `${to.name}注协转〔${year}〕${prng.int(1, 99)}号`,
          };
        }
        members.push(
          id,
          certificateNo,
          m.name,
          m.gender,
          m.idNumber,
          m.dateOfBirth,
          m.mobile,
          email,
          m.address,
          m.provinceCode,
          m.status,
          m.admissionRoute,
          m.examPassYear,
          m.examPassCertNo,
          m.joinedOn,
          m.approvalDocNo,
          m.paperCertificate,
          passwordHash,
          false,
        );
        // R7a: the exam system holds photos of those who passed in 2010 or later (a few are missing).
        if (m.examPassYear !== null && m.examPassYear >= 2010 && prng.chance(0.95)) {
          examPhotos.push(id, prng.pick(portraitKeys), m.examPassYear);
        }
        if (m.transfer) {
          transfers.push(id, m.transfer.from, m.transfer.to, m.transfer.on, m.transfer.approvalDocNo);
        }
        pushInspections(prng, ids, inspections, id, m.joinedOn);
        if (members.length >= batchSize) await flush();
      }
      log(`${province.name}: ${count} members`);
    }
    await flush();
    await inFlight;
  });

  result.ms = Date.now() - started;
  log(
    `seeded ${result.members} members, ${result.inspections} inspections, ${result.examPhotos} exam photos, ` +
      `${result.transfers} transfers in ${result.ms} ms`,
  );
  return result;
}

/** Inspection history: from the year of joining (exempt that year) or 2017 to 2025; mostly passed, some gaps. */
function pushInspections(prng: Prng, ids: OrderedUuids, into: BulkInsert, memberId: string, joinedOn: string): void {
  const joinedYear = Number(joinedOn.slice(0, 4));
  for (let year = Math.max(FIRST_INSPECTION_YEAR, joinedYear); year <= LAST_INSPECTION_YEAR; year++) {
    if (year === joinedYear) {
      into.push(ids.next(), memberId, year, 'exempt', null, '当年入会，免于年检', 'seed');
      continue;
    }
    const roll = prng.next();
    if (roll < 0.05) continue; // not uploaded (yet)
    if (roll < 0.09) into.push(ids.next(), memberId, year, 'failed', null, '未完成继续教育学时', 'seed');
    else if (roll < 0.11) into.push(ids.next(), memberId, year, 'exempt', null, '出国（境）期间免于年检', 'seed');
    else into.push(ids.next(), memberId, year, 'passed', dateIn(prng, year, 3, 7), null, 'seed');
  }
}

async function seedStaff(manager: EntityManager, prng: Prng, passwordHash: string): Promise<number> {
  const staff = new BulkInsert(
    'staff_accounts',
    [
      ['username', 'text'],
      ['display_name', 'text'],
      ['password_hash', 'text'],
      ['role', 'varchar(32)'],
      ['province_code', 'char(2)'],
    ],
    'ON CONFLICT (username) DO NOTHING',
  );
  const personName = () => generateName(prng, prng.chance(0.5) ? 'M' : 'F', '11').name;
  const responsible: [code: string, name: string, phone: string, email: string][] = [];
  for (const province of PROVINCES) {
    for (const plan of STAFF_PLAN) {
      const name = personName();
      staff.push(plan.username(province.code), name, passwordHash, plan.role, province.code);
      // R15: the institute's administrator is the named person responsible.
      if (plan.role === 'provincialAdmin') {
        responsible.push([province.code, name, mobile(prng), `ecert.${province.code}@example.org`]);
      }
    }
  }
  staff.push('national.reviewer', personName(), passwordHash, 'nationalReviewer', null);
  staff.push('national.admin', personName(), passwordHash, 'nationalAdmin', null);
  const [{ before }]: { before: number }[] = await manager.query(`SELECT count(*)::int AS before FROM staff_accounts`);
  await sendTogether(manager, [staff]).sent;
  const [{ after }]: { after: number }[] = await manager.query(`SELECT count(*)::int AS after FROM staff_accounts`);

  await manager.query(
    `UPDATE institutes i SET responsible_name = r.name, responsible_phone = r.phone, responsible_email = r.email
     FROM unnest($1::char(2)[], $2::text[], $3::text[], $4::text[]) AS r(code, name, phone, email)
     WHERE i.code = r.code AND i.responsible_name IS NULL`,
    [
      responsible.map((r) => r[0]),
      responsible.map((r) => r[1]),
      responsible.map((r) => r[2]),
      responsible.map((r) => r[3]),
    ],
  );
  return after - before;
}
