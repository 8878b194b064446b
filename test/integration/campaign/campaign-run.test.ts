/**
 * The yearly inspection-and-reissue campaign end to end (R11, R12, R14, R17, R19, R20), on real PostgreSQL, a
 * Temporal dev server of this file's own (so no other test's worker takes its tasks) and the real worker in child
 * processes, over a generated population that covers every case: passed with an e-certificate (reissued and
 * rendered), failed and missing inspections (listed, not reissued), pre-2021 members on paper (invited, reminded,
 * paper void at the deadline), one who claims during the campaign, one who had claimed before, a suspended member,
 * a province that starts on its own later date, a province not in the campaign, and a member admitted mid-run whose
 * id sorts before the cursor.
 *
 * The first worker is killed (SIGKILL) with a page of members written but not committed; a second worker takes
 * over. At the end every counter equals the rows behind it, every member was processed once, every reissue exists
 * once, and every invitation and reminder step reached each member once per channel.
 */
import { createHash } from 'node:crypto';
import path from 'node:path';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { Client, Connection, type WorkflowHandle } from '@temporalio/client';
import { DataSource } from 'typeorm';
import { dataSourceOptions, FsBlobStore, type Member } from '@app/persistence';
import { SEARCH_ATTRIBUTES, workflowIds } from '@app/temporal/names';
import type { inspectionCampaign } from '@app/workflows/inspection-campaign/inspection-campaign.workflow';
import { startTemporal, type TemporalHandle } from '../../../scripts/lib/services';
import { createMember } from '../../factories/accounts';
import { createMembersInBulk } from '../../factories/members';
import { startApi, type TestApi } from '../../support/api';
import { requireEnv } from '../../support/env';
import { WorkerProcesses } from '../../support/worker-process';
import { createMemberWithPhoto, memberSession, run } from '../certificates/support';
import { insertCertificate, insertInspection } from './support';

jest.setTimeout(300_000);

const YEAR = 2088;
/** Provinces nobody else's test uses: Shanxi and Inner Mongolia in the campaign, Liaoning outside it. */
const EARLY = '14';
const LATE = '15';
const OUTSIDE = '21';
const post2021 = { joinedOn: '2022-04-01', paperCertificate: 'none' } as const;
const pre2021 = { joinedOn: '2016-03-01', paperCertificate: 'valid' } as const;

let temporal: TemporalHandle;
let ds: DataSource;
let dir: string;
let blobDir: string;
let connection: Connection;
let client: Client;
let api: TestApi;
const workers = new WorkerProcesses();
let workerEnv: Record<string, string>;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'campaign-run-'));
  blobDir = path.join(dir, 'blobs');
  temporal = await startTemporal({ logFile: path.join(dir, 'temporal.log') });
  ds = await new DataSource(dataSourceOptions(requireEnv('DATABASE_URL'))).initialize();
  connection = await Connection.connect({ address: temporal.address });
  client = new Client({ connection, namespace: temporal.namespace });
  workerEnv = {
    TEMPORAL_ADDRESS: temporal.address,
    TEMPORAL_NAMESPACE: temporal.namespace,
    BLOB_DIR: blobDir,
    RENDER_POOL_SIZE: '1',
    LOG_LEVEL: 'warn',
  };
  api = await startApi({
    TEMPORAL_ADDRESS: temporal.address,
    TEMPORAL_NAMESPACE: temporal.namespace,
    BLOB_DIR: blobDir,
  });
});

afterAll(async () => {
  await workers.close();
  await Promise.allSettled([api?.close(), connection?.close(), ds?.destroy()]);
  await temporal?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** Version 1 of an e-certificate, active, printed with the member's verified photo. */
async function activeCertificate(member: Member, status: 'active' | 'pending' = 'active'): Promise<void> {
  const [photo]: { blob_key: string }[] = await ds.query(
    `SELECT blob_key FROM photos WHERE member_id = $1 AND status = 'accepted'`,
    [member.id],
  );
  const photoBlobKey = photo?.blob_key ?? (await new FsBlobStore(blobDir).put(Buffer.from('no photo'), 'image/jpeg'));
  await insertCertificate(ds, member, { status, photoBlobKey });
}

const inspection = (member: Member, result: 'passed' | 'failed' | 'exempt') =>
  insertInspection(ds, member, YEAR, result);

async function waitFor<T>(what: string, read: () => Promise<T>, ok: (value: T) => boolean, ms = 120_000): Promise<T> {
  const until = Date.now() + ms;
  for (;;) {
    const value = await read();
    if (ok(value)) return value;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(value)}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

const provinceRow = async (code: string) =>
  (
    await ds.query(`SELECT * FROM campaign_provinces WHERE campaign_year = $1 AND province_code = $2`, [YEAR, code])
  )[0] as Record<string, number | string> | undefined;

it('R11 R12 R14 R17 R19: a campaign over every case, with a worker killed mid-page, ends with exactly the expected effects', async () => {
  // ---- The population.
  const m: Record<string, Member> = {};
  for (const name of ['换发甲', '换发乙', '换发丙']) {
    m[name] = await createMemberWithPhoto(ds, blobDir, EARLY, { ...post2021, name });
    await activeCertificate(m[name]);
    await inspection(m[name], 'passed');
  }
  m.failed = await createMember(ds, EARLY, { ...post2021, name: '未通过丁' });
  await activeCertificate(m.failed);
  await inspection(m.failed, 'failed');
  m.missing = await createMember(ds, EARLY, { ...post2021, name: '未年检戊' });
  await activeCertificate(m.missing);
  m.paper = await createMember(ds, EARLY, { ...pre2021, name: '纸证己' });
  await inspection(m.paper, 'passed');
  m.claimsDuring = await createMember(ds, EARLY, { ...pre2021, name: '申领庚' });
  m.claimedBefore = await createMember(ds, EARLY, { ...pre2021, name: '已申领辛' });
  await activeCertificate(m.claimedBefore);
  await inspection(m.claimedBefore, 'exempt');
  m.suspended = await createMember(ds, EARLY, { ...pre2021, name: '暂停壬', status: 'suspended' });
  const bulkEarly = await createMembersInBulk(ds, EARLY, 300, { inspectionYear: YEAR });
  const bulkLate = await createMembersInBulk(ds, LATE, 40, { inspectionYear: YEAR });
  m.outside = await createMember(ds, OUTSIDE, { ...pre2021, name: '外省癸' });
  await inspection(m.outside, 'passed');

  // ---- Launch: pages of 20, 2 pages a batch, 3 batches a run (so the early province continues as new), the late
  // province starts 20 s after launch, reminders every 8 s, paper void 60 s after launch.
  const launchedAt = Date.now();
  const lateStart = new Date(launchedAt + 20_000).toISOString();
  const deadline = new Date(launchedAt + 60_000).toISOString();
  const firstWorker = workers.start({ ...workerEnv, HANG_IN_CAMPAIGN_PAGE: '1' }, `PAGE WRITTEN ${EARLY}`);
  const handle: WorkflowHandle<typeof inspectionCampaign> = await client.workflow.start<typeof inspectionCampaign>(
    'inspectionCampaign',
    {
      taskQueue: 'registry',
      workflowId: workflowIds.campaign(YEAR),
      args: [
        {
          year: YEAR,
          provinceCodes: [EARLY, LATE],
          claimDeadline: deadline,
          reminderEverySeconds: 8,
          launchedBy: { actorId: null, actorLabel: 'campaign-run-test' },
          pageSize: 20,
          pagesPerBatch: 2,
          batchesPerRun: 3,
          provinceStarts: { [LATE]: lateStart },
          renderConcurrency: 2,
        },
      ],
      typedSearchAttributes: [{ key: SEARCH_ATTRIBUTES.campaignYear, value: YEAR }],
    },
  );

  // ---- The first page of the early province is written but not committed: kill the worker there.
  await workers.kill(await firstWorker);
  const [{ n: committed }] = await ds.query(
    `SELECT count(*)::int AS n FROM campaign_members WHERE campaign_year = $1`,
    [YEAR],
  );
  expect(committed).toBe(0);
  await workers.start(workerEnv, 'WORKER READY');

  // ---- Mid-run: a member admitted with an id before the cursor; a pre-2021 member claims after the invitation.
  await waitFor(
    'a few pages of the early province',
    () => provinceRow(EARLY),
    (r) => Number(r?.processed) >= 100,
  );
  m.lateJoiner = await createMember(ds, EARLY, {
    ...pre2021,
    id: '00000000-0000-4000-8000-000000000001',
    name: '新入会子',
  });
  await waitFor(
    'the invitation of 申领庚',
    () =>
      ds.query(`SELECT 1 FROM notifications WHERE dedupe_key = $1`, [
        `campaign:${YEAR}:${m.claimsDuring.certificateNo}:invite`,
      ]),
    (rows: unknown[]) => rows.length === 1,
  );
  await activeCertificate(m.claimsDuring, 'pending');

  const result = await handle.result();

  // ---- Both provinces completed; the late one began after its own start date.
  expect(result.provinces.map((p) => [p.provinceCode, p.status])).toEqual([
    [EARLY, 'completed'],
    [LATE, 'completed'],
  ]);
  const [{ first }] = await ds.query(
    `SELECT min(processed_at) AS first FROM campaign_members WHERE campaign_year = $1 AND province_code = $2`,
    [YEAR, LATE],
  );
  expect(new Date(first).getTime()).toBeGreaterThanOrEqual(Date.parse(lateStart));

  // ---- Every active member of the two provinces processed exactly once (the killed page rolled back and redone,
  // the late joiner swept up); nobody else.
  const processed: { member_id: string; province_code: string }[] = await ds.query(
    `SELECT member_id, province_code FROM campaign_members WHERE campaign_year = $1`,
    [YEAR],
  );
  const active: { id: string }[] = await ds.query(
    `SELECT id FROM members WHERE province_code = ANY($1::text[]) AND status = 'active'`,
    [[EARLY, LATE]],
  );
  expect(processed.map((r) => r.member_id).sort()).toEqual(active.map((r) => r.id).sort());
  expect(processed.map((r) => r.member_id)).toContain(m.lateJoiner.id);
  expect(processed.map((r) => r.member_id)).not.toContain(m.suspended.id);
  expect(processed.map((r) => r.member_id)).not.toContain(m.outside.id);

  // ---- The dashboard counters equal the rows behind them (no page counted twice).
  for (const code of [EARLY, LATE]) {
    const [actual] = await ds.query(
      `SELECT count(*)::int AS processed,
              count(*) FILTER (WHERE inspection <> 'missing')::int AS inspected,
              count(*) FILTER (WHERE inspection = 'failed')::int AS failed,
              count(*) FILTER (WHERE inspection = 'missing')::int AS pending,
              count(reissue_version)::int AS reissued,
              count(*) FILTER (WHERE invited)::int AS invited,
              count(claimed_at)::int AS claimed,
              count(paper_voided_at)::int AS voided
         FROM campaign_members WHERE campaign_year = $1 AND province_code = $2`,
      [YEAR, code],
    );
    expect(await provinceRow(code)).toMatchObject({ ...actual, total: actual.processed, status: 'completed' });
  }
  const early = (await provinceRow(EARLY))!;
  // 3 passed with an e-certificate; 300 bulk members, every other one pre-2021, plus 纸证己, 申领庚 and 新入会子.
  expect(early).toMatchObject({
    reissued: 3,
    invited: bulkEarly.expected.invited + 3,
    claimed: 1,
    failed: bulkEarly.expected.failed + 1,
  });
  expect((await provinceRow(LATE))!).toMatchObject({ total: 40, invited: bulkLate.expected.invited, reissued: 0 });

  // ---- Reissues: one new version each, rendered and active (the old one superseded); nothing for the others.
  const versions: { certificate_no: string; version: number; status: string; pdf_blob_key: string | null }[] =
    await ds.query(
      `SELECT certificate_no, version, status, pdf_blob_key FROM certificates
        WHERE certificate_no = ANY($1::text[]) ORDER BY certificate_no, version`,
      [[m['换发甲'], m['换发乙'], m['换发丙'], m.failed, m.missing].map((x) => x.certificateNo)],
    );
  const byNo = (x: Member) => versions.filter((v) => v.certificate_no === x.certificateNo);
  for (const name of ['换发甲', '换发乙', '换发丙']) {
    expect(byNo(m[name]).map((v) => [v.version, v.status])).toEqual([
      [1, 'superseded'],
      [2, 'active'],
    ]);
    expect(byNo(m[name])[1].pdf_blob_key).toBeTruthy();
  }
  expect(byNo(m.failed).map((v) => [v.version, v.status])).toEqual([[1, 'active']]);
  expect(byNo(m.missing).map((v) => [v.version, v.status])).toEqual([[1, 'active']]);
  const rendered = await new FsBlobStore(blobDir).get(byNo(m['换发甲'])[1].pdf_blob_key!);
  const pdfFile = path.join(dir, 'reissued.pdf');
  await writeFile(pdfFile, rendered);
  expect(run('pdfsig', [pdfFile]).stdout).toContain('Signature is Valid');

  // ---- Notices: each invited member got the invitation once by mail and once by SMS, and every reminder step
  // once per channel until they claimed; members who were not invited got none.
  const notices: { member_id: string; template: string; dedupe_key: string }[] = await ds.query(
    `SELECT member_id, template, dedupe_key FROM notifications WHERE dedupe_key LIKE $1`,
    [`campaign:${YEAR}:%`],
  );
  const invitedRows: { member_id: string; reminders: number; claimed_at: Date | null }[] = await ds.query(
    `SELECT member_id, reminders, claimed_at FROM campaign_members WHERE campaign_year = $1 AND invited`,
    [YEAR],
  );
  const steps = Math.max(...invitedRows.map((r) => r.reminders));
  expect(steps).toBeGreaterThanOrEqual(1);
  const expected: string[] = [];
  for (const row of invitedRows) {
    expected.push(`${row.member_id} campaign-invite.mail`, `${row.member_id} campaign-invite.sms`);
    for (let step = 1; step <= row.reminders; step++) {
      expected.push(
        `${row.member_id} campaign-reminder.mail ${step}`,
        `${row.member_id} campaign-reminder.sms ${step}`,
      );
    }
  }
  const actual = notices.map((n) => {
    const step = /:remind:(\d+)/.exec(n.dedupe_key)?.[1];
    return `${n.member_id} ${n.template}${step ? ` ${step}` : ''}`;
  });
  expect(actual.sort()).toEqual(expected.sort());
  const claimer = invitedRows.find((r) => r.member_id === m.claimsDuring.id)!;
  expect(claimer.claimed_at).not.toBeNull();
  // Unclaimed members of the early province were reminded at every step it took; the claimer stopped earlier.
  const paperRow = invitedRows.find((r) => r.member_id === m.paper.id)!;
  expect(claimer.reminders).toBeLessThan(paperRow.reminders);

  // ---- At the deadline the paper certificates of the campaign's members are void; nobody else's.
  const paper: { id: string; paper_certificate: string }[] = await ds.query(
    `SELECT id, paper_certificate FROM members WHERE id = ANY($1::uuid[])`,
    [[m.paper, m.claimsDuring, m.claimedBefore, m.lateJoiner, m.suspended, m.outside].map((x) => x.id)],
  );
  const paperOf = (x: Member) => paper.find((p) => p.id === x.id)!.paper_certificate;
  expect([m.paper, m.claimsDuring, m.claimedBefore, m.lateJoiner].map(paperOf)).toEqual([
    'void',
    'void',
    'void',
    'void',
  ]);
  expect(paperOf(m.suspended)).toBe('valid');
  expect(paperOf(m.outside)).toBe('valid');
  const [{ n: voidedLate }] = await ds.query(
    `SELECT count(*)::int AS n FROM members WHERE id = ANY($1::uuid[]) AND paper_certificate = 'void'`,
    [bulkLate.ids],
  );
  expect(voidedLate).toBe(bulkLate.expected.invited);

  // ---- R20: every execution of the campaign carries CampaignYear and Province.
  const executions: { workflowId: string; province: unknown }[] = [];
  for await (const w of client.workflow.list({ query: `CampaignYear = ${YEAR}` })) {
    executions.push({ workflowId: w.workflowId, province: w.typedSearchAttributes.get(SEARCH_ATTRIBUTES.province) });
  }
  const ids = new Set(executions.map((e) => e.workflowId));
  expect([...ids].sort()).toEqual(
    [
      workflowIds.campaign(YEAR),
      workflowIds.provinceCampaign(YEAR, EARLY),
      workflowIds.provinceCampaign(YEAR, LATE),
      workflowIds.campaignRendering(YEAR),
    ].sort(),
  );
  expect(executions.every((e) => typeof e.province === 'string')).toBe(true);
  // The early province continued as new (more than one run under its id).
  expect(executions.filter((e) => e.workflowId === workflowIds.provinceCampaign(YEAR, EARLY)).length).toBeGreaterThan(
    1,
  );
});

it('R12: a download before the campaign renders the reissued version renders it on demand', async () => {
  const member = await createMemberWithPhoto(ds, blobDir, EARLY, { ...post2021, name: '按需寅' });
  await activeCertificate(member);
  // As a campaign's batch leaves it: version 2 pending, its snapshot frozen, no file yet (another year's campaign,
  // so no renderer of this file's campaign takes it).
  await ds.query(
    `INSERT INTO certificates (certificate_no, version, status, reason, snapshot, workflow_id)
     SELECT certificate_no, 2, 'pending', 'reissue',
            snapshot || jsonb_build_object('version', 2, 'latestInspection',
              jsonb_build_object('year', 2090, 'passedOn', '2090-06-10'), 'campaign', jsonb_build_object('year', 2090)),
            $2
       FROM certificates WHERE certificate_no = $1 AND version = 1`,
    [member.certificateNo, workflowIds.certificate(member.certificateNo, 2)],
  );
  const session = await memberSession(api.baseUrl, member.certificateNo);
  const response = await session.get('/member/certificate.pdf');
  expect(response.status).toBe(200);
  const pdf = Buffer.from(await response.arrayBuffer());
  expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
  const rows: { version: number; status: string; pdf_sha256: string }[] = await ds.query(
    `SELECT version, status, pdf_sha256 FROM certificates WHERE certificate_no = $1 ORDER BY version`,
    [member.certificateNo],
  );
  expect(rows.map((r) => [r.version, r.status])).toEqual([
    [1, 'superseded'],
    [2, 'active'],
  ]);
  expect(createHash('sha256').update(pdf).digest('hex')).toBe(rows[1].pdf_sha256);
  // The download is audited with the version it served.
  const [audit] = await ds.query(
    `SELECT detail FROM audit_events WHERE action = 'certificate.download' AND subject_id = $1`,
    [`${member.certificateNo}-v2`],
  );
  expect(audit?.detail).toMatchObject({ version: 2 });
});
