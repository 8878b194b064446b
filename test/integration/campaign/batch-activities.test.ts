/**
 * The campaign's set-based activities against real PostgreSQL (R11, R12, R14, R19), on a scratch database migrated
 * from nothing: a small generated population of Beijing (in the campaign) and Shanghai (not in it) gives exactly
 * the expected reissues, invitations, institute list, reminders and voids, and running a page again changes nothing.
 */
import { MockActivityEnvironment } from '@temporalio/testing';
import { DataSource } from 'typeorm';
import {
  CampaignActivities,
  type ProcessBatchInput,
  type ProcessBatchResult,
} from '@app/activities/campaign/campaign.activities';
import { dataSourceOptions, Member } from '@app/persistence';
import { runMigrations } from '../../../libs/persistence/src/migrate';
import { createMember } from '../../factories/accounts';
import { createScratchDatabase, type ScratchDatabase } from '../persistence/scratch-database';
import { insertCertificate, insertInspection } from './support';

jest.setTimeout(60_000);

const YEAR = 2025;
const DEADLINE = '2025-12-31';
let db: ScratchDatabase;
let ds: DataSource;
let activities: CampaignActivities;
const m: Record<string, Member> = {};

const activeCertificate = (member: Member, version = 1, status: 'active' | 'pending' = 'active') =>
  insertCertificate(ds, member, { version, status, photoBlobKey: 'sha256/photo' });
const inspection = (member: Member, result: 'passed' | 'failed' | 'exempt', passedOn: string | null = null) =>
  insertInspection(ds, member, YEAR, result, passedOn);

beforeAll(async () => {
  db = await createScratchDatabase('campaign');
  await runMigrations(db.url);
  ds = await new DataSource(dataSourceOptions(db.url)).initialize();
  activities = new CampaignActivities(ds);
  const post2021 = { joinedOn: '2022-04-01', paperCertificate: 'none' } as const;
  const pre2021 = { joinedOn: '2016-03-01', paperCertificate: 'valid' } as const;
  // Beijing (11), in the campaign.
  m.passed = await createMember(ds, '11', { ...post2021, name: '通过甲' });
  await activeCertificate(m.passed);
  await inspection(m.passed, 'passed', '2025-06-15');
  m.failed = await createMember(ds, '11', { ...post2021, name: '未通过乙' });
  await activeCertificate(m.failed);
  await inspection(m.failed, 'failed');
  m.missing = await createMember(ds, '11', { ...post2021, name: '未年检丙' });
  await activeCertificate(m.missing);
  m.paperPassed = await createMember(ds, '11', { ...pre2021, name: '纸证丁' });
  await inspection(m.paperPassed, 'passed', '2025-06-20');
  m.paperMissing = await createMember(ds, '11', { ...pre2021, name: '纸证戊' });
  m.claimed = await createMember(ds, '11', { ...pre2021, name: '已申领己' });
  await activeCertificate(m.claimed);
  await inspection(m.claimed, 'passed', '2025-07-01');
  m.newNoCert = await createMember(ds, '11', { ...post2021, name: '新会员庚' });
  await inspection(m.newNoCert, 'exempt');
  m.suspended = await createMember(ds, '11', { ...pre2021, name: '暂停辛', status: 'suspended' });
  // Shanghai (31), not in the campaign.
  m.otherProvince = await createMember(ds, '31', { ...pre2021, name: '上海壬' });
  await inspection(m.otherProvince, 'passed', '2025-06-15');
  await activities.openProvince({ year: YEAR, provinceCode: '11', startsAt: null });
  await activities.beginProcessing({ year: YEAR, provinceCode: '11' });
});

afterAll(async () => {
  await ds?.destroy();
  await db?.drop();
});

const batch = (
  cursor: string | null,
  heartbeatDetails?: string,
): ProcessBatchInput & { heartbeatDetails?: string } => ({
  year: YEAR,
  provinceCode: '11',
  cursor,
  pageSize: 2,
  pages: 1,
  claimDeadline: DEADLINE,
  heartbeatDetails,
});

async function runBatch(input: ReturnType<typeof batch>) {
  const { heartbeatDetails, ...args } = input;
  const env = new MockActivityEnvironment(heartbeatDetails !== undefined ? { heartbeatDetails } : {});
  const beats: unknown[] = [];
  env.on('heartbeat', (d: unknown) => beats.push(d));
  const result: ProcessBatchResult = await env.run(activities.processBatch.bind(activities), args);
  return { result, beats };
}

async function snapshotOfDb() {
  const [certificates, notifications, campaignMembers, province] = await Promise.all([
    ds.query(
      `SELECT certificate_no, version, status, reason, snapshot FROM certificates ORDER BY certificate_no, version`,
    ),
    ds.query(`SELECT recipient, template, dedupe_key, body FROM notifications ORDER BY dedupe_key`),
    ds.query(`SELECT member_id, inspection, reissue_version, invited FROM campaign_members ORDER BY member_id`),
    ds.query(`SELECT * FROM campaign_provinces WHERE campaign_year = $1 AND province_code = '11'`, [YEAR]),
  ]);
  return { certificates, notifications, campaignMembers, province: { ...province[0], updated_at: null } };
}

it('R12 R11 R14: pages through Beijing (2 a page, heartbeating the cursor) with exactly the expected effects', async () => {
  let cursor: string | null = null;
  let pages = 0;
  for (;;) {
    const { result, beats } = await runBatch(batch(cursor));
    pages++;
    expect(beats).toEqual([result.cursor]);
    cursor = result.cursor;
    if (result.done) break;
  }
  // 7 active Beijing members at 2 a page: 4 pages (the last one short).
  expect(pages).toBe(4);

  const certificates: {
    certificate_no: string;
    version: number;
    status: string;
    reason: string;
    snapshot: Record<string, unknown>;
  }[] = await ds.query(`SELECT * FROM certificates WHERE reason = 'reissue' ORDER BY certificate_no`);
  expect(certificates.map((c) => [c.certificate_no, c.version, c.status])).toEqual(
    [
      [m.passed.certificateNo, 2, 'pending'],
      [m.claimed.certificateNo, 2, 'pending'],
    ].sort(),
  );
  const passedV2 = certificates.find((c) => c.certificate_no === m.passed.certificateNo)!;
  expect(passedV2.snapshot).toMatchObject({
    version: 2,
    name: '通过甲',
    latestInspection: { year: 2025, passedOn: '2025-06-15' },
    photoBlobKey: 'sha256/photo',
    campaign: { year: 2025, workflowId: 'campaign-2025-11' },
  });
  expect(passedV2).toMatchObject({ workflow_id: `certificate-${m.passed.certificateNo}-v2` });

  const notifications: { recipient: string; dedupe_key: string; body: string; template: string }[] = await ds.query(
    `SELECT * FROM notifications ORDER BY dedupe_key`,
  );
  // By mail and by SMS (R14), each once.
  expect(notifications.map((n) => [n.dedupe_key, n.template, n.recipient])).toEqual(
    [
      [`campaign:2025:${m.paperPassed.certificateNo}:invite`, 'campaign-invite.mail', m.paperPassed.email],
      [`campaign:2025:${m.paperPassed.certificateNo}:invite:sms`, 'campaign-invite.sms', m.paperPassed.mobile],
      [`campaign:2025:${m.paperMissing.certificateNo}:invite`, 'campaign-invite.mail', m.paperMissing.email],
      [`campaign:2025:${m.paperMissing.certificateNo}:invite:sms`, 'campaign-invite.sms', m.paperMissing.mobile],
    ].sort((a, b) => (a[0] < b[0] ? -1 : 1)),
  );
  expect(notifications.every((n) => n.body.includes('2025年12月31日'))).toBe(true);
  expect(notifications.find((n) => n.template === 'campaign-invite.sms')!.body).toMatch(/^【中注协】/);

  // The institute's list: failed and missing inspections, never reissued.
  const list: { name: string; inspection: string; reissue_version: number | null }[] = await ds.query(
    `SELECT m.name, cm.inspection, cm.reissue_version FROM campaign_members cm JOIN members m ON m.id = cm.member_id
      WHERE cm.campaign_year = $1 AND cm.province_code = '11' AND cm.inspection IN ('failed', 'missing')
      ORDER BY m.name`,
    [YEAR],
  );
  expect(list).toEqual(
    [
      { name: '未年检丙', inspection: 'missing', reissue_version: null },
      { name: '未通过乙', inspection: 'failed', reissue_version: null },
      { name: '纸证戊', inspection: 'missing', reissue_version: null },
    ].sort((a, b) => (a.name < b.name ? -1 : 1)),
  );
  const [other] = await ds.query(`SELECT count(*)::int AS n FROM campaign_members WHERE member_id = ANY($1::uuid[])`, [
    [m.otherProvince.id, m.suspended.id],
  ]);
  expect(other.n).toBe(0);

  const province = (await snapshotOfDb()).province;
  expect(province).toMatchObject({
    status: 'running',
    total: 7,
    processed: 7,
    // With a result for 2025: passed ×3, failed, exempt.
    inspected: 5,
    reissued: 2,
    invited: 2,
    failed: 1,
    pending: 2,
    claimed: 0,
    voided: 0,
  });
});

it('R12: running the pages again, or resuming from a heartbeaten cursor, changes nothing', async () => {
  const before = await snapshotOfDb();
  let cursor: string | null = null;
  for (;;) {
    const { result } = await runBatch(batch(cursor));
    cursor = result.cursor;
    if (result.done) break;
  }
  // A retried attempt resumes from its last heartbeat (the last member): nothing left to do.
  const { result } = await runBatch(batch(null, cursor!));
  expect(result).toMatchObject({ cursor, done: true });
  expect(await snapshotOfDb()).toEqual(before);
});

it('R14: reminders go to invited members who have not claimed, once per step', async () => {
  // 纸证丁 claims meanwhile (a certificate is being issued).
  await activeCertificate(m.paperPassed, 1, 'pending');
  const env = new MockActivityEnvironment();
  const first = await env.run(activities.sendReminders.bind(activities), {
    year: YEAR,
    provinceCode: '11',
    step: 1,
    claimDeadline: DEADLINE,
  });
  expect(first).toMatchObject({ reminded: 1, claimed: 1 });
  const again = await new MockActivityEnvironment().run(activities.sendReminders.bind(activities), {
    year: YEAR,
    provinceCode: '11',
    step: 1,
    claimDeadline: DEADLINE,
  });
  expect(again).toMatchObject({ reminded: 1, claimed: 1 });
  const reminders: { dedupe_key: string }[] = await ds.query(
    `SELECT dedupe_key FROM notifications WHERE template = 'campaign-reminder.mail'`,
  );
  expect(reminders.map((r) => r.dedupe_key)).toEqual([`campaign:2025:${m.paperMissing.certificateNo}:remind:1`]);
});

it('R11: at the deadline the paper certificates of the campaign members are void, once; others untouched', async () => {
  const counts = await activities.voidPaperCertificates({ year: YEAR, provinceCode: '11' });
  expect(counts).toMatchObject({ voided: 3, claimed: 1 });
  const paper: { name: string; paper_certificate: string }[] = await ds.query(
    `SELECT name, paper_certificate FROM members ORDER BY name`,
  );
  expect(Object.fromEntries(paper.map((p) => [p.name, p.paper_certificate]))).toEqual({
    通过甲: 'none',
    未通过乙: 'none',
    未年检丙: 'none',
    纸证丁: 'void',
    纸证戊: 'void',
    已申领己: 'void',
    新会员庚: 'none',
    暂停辛: 'valid',
    上海壬: 'valid',
  });
  const again = await activities.voidPaperCertificates({ year: YEAR, provinceCode: '11' });
  expect(again).toMatchObject({ voided: 3 });
  const [{ n }] = await ds.query(`SELECT count(*)::int AS n FROM audit_events WHERE action = 'campaign.paper.void'`);
  expect(n).toBe(1);
  const [row] = await ds.query(`SELECT status FROM campaign_provinces WHERE campaign_year = $1`, [YEAR]);
  expect(row.status).toBe('completed');
});
