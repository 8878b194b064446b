/**
 * The yearly inspection-and-reissue campaign at national scale: 200,000 generated members in the 32 institutes,
 * `inspectionCampaign` launched for 2025 with every province code (as CampaignsService.launch does), run by the real
 * worker. Three figures, each against its target:
 *
 * - wall time from `client.workflow.start` until every campaign_provinces row has processed = total and status
 *   `reminding` (PostgreSQL polled every 250 ms): every member's decision (its campaign_members row) is made and
 *   every reissue version exists (a `pending` certificates row; rendering is excluded, bench/render measures it).
 *   Checked afterwards: count(campaign_members) = active members, pending reissue versions = sum of `reissued`.
 * - the largest workflow history: every execution with `CampaignYear = 2025` (visibility, open and closed, so every
 *   continued-as-new run too), its history fetched, the maximum event count and which execution it is.
 * - peak memory of the worker: the real worker app (WorkerModule.forRoot, WORKER_TASK_QUEUES=registry, so the
 *   render queue is not served) in a child process (this file re-run with `--campaign-worker`, compiled by
 *   bench/register.mts like bench/review); VmHWM from /proc/<pid>/status at the end, VmRSS sampled with every poll.
 *   Processes the worker starts (Chromium of the PdfModule's BrowserPool) are added: the figure is the sum of the
 *   peaks (VmHWM) of the worker and its descendants. Chromium's processes share most of their pages, which that sum
 *   counts once per process, so the largest sampled sums of VmRSS and of Pss (/proc/<pid>/smaps_rollup: shared pages
 *   divided among their users) are printed beside it, and the node process alone is a row of its own.
 *
 * Data: seedDemoData (the demo generator: names, both admission routes, approvals on both sides of 2021, inspection
 * history 2017–2025 with ~5 % missing, ~4 % failed, ~2 % exempt a year) for BENCH_CAMPAIGN_MEMBERS members. The seed
 * issues no certificates, so this file adds them: every member admitted since 2021 holds an active e-certificate
 * (version 1, firstIssue), and BENCH_CAMPAIGN_CLAIMED_PERCENT (default 30) % of those admitted before 2021 have
 * already claimed one; every 10th holder has a superseded version 1 and an active version 2. The other pre-2021
 * members hold only the paper certificate and get invited. The claim deadline is 2099-12-31 and reminders are
 * weekly, so once processed each province waits in `reminding`. The data mix and the campaign's outcome (passed /
 * failed / exempt / missing, reissued, invited) are printed.
 *
 * Baseline, measured in the same run: the same work without Temporal. The seeded database is VACUUM ANALYZEd and
 * copied (CREATE DATABASE … TEMPLATE) before the campaign, so the baseline gets identical data and an identical
 * campaign year; a child process (this file with `--campaign-baseline`, like the worker) calls CampaignActivities
 * directly, province by province in parallel as the 32 children run: openProvince, setProvinceStatus(waiting),
 * beginProcessing, setProvinceStatus(running), processBatch (through MockActivityEnvironment, which supplies the
 * activity context for the heartbeats) until done, setProvinceStatus(reminding); with the page size and pages per
 * batch the campaign's children actually received (read from a child's start event) and the worker's DataSource
 * pool size. The ratio campaign ÷ baseline is Temporal's orchestration overhead (dispatch of activities and
 * workflow tasks, progress signals, the worker's other load); the baseline child's own VmHWM is the memory of the
 * work itself. The baseline runs after the campaign (the worker child stopped first).
 *
 * Everything is self-contained and removed afterwards, also on failure or Ctrl-C: a throw-away PostgreSQL
 * (ephemeral) and a headless Temporal dev server (in memory) in a temporary folder, the workflow bundle built there.
 *
 * Env: BENCH_CAMPAIGN_MEMBERS (default 200000), BENCH_CAMPAIGN_PAGE_SIZE (default: the workflow's default),
 * BENCH_CAMPAIGN_CLAIMED_PERCENT (default 30), BENCH_CAMPAIGN_TIMEOUT_S (default 1800: give up waiting, print
 * what was reached). Prints, never asserts; exits non-zero only if something crashes.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { Client, Connection } from '@temporalio/client';
import { defaultPayloadConverter } from '@temporalio/common';
import { tsToMs } from '@temporalio/common/lib/time';
import { temporal } from '@temporalio/proto';
import { MockActivityEnvironment } from '@temporalio/testing';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { Client as PgClient } from 'pg';
import { DataSource } from 'typeorm';
import { CampaignActivities, type ProcessBatchResult } from '@app/activities/campaign/campaign.activities';
import { loadConfig } from '@app/config';
import { PROVINCES } from '@app/domain/provinces';
import { dataSourceOptions, FsBlobStore, seedDemoData } from '@app/persistence';
import { SEARCH_ATTRIBUTES, TASK_QUEUES, workflowIds } from '@app/temporal/names';
import {
  NATIONAL_PROVINCE_VALUE,
  type ProvinceCampaignInput,
} from '@app/workflows/inspection-campaign/inspection-campaign.messages';
import type { inspectionCampaign } from '@app/workflows/inspection-campaign/inspection-campaign.workflow';
import { stopChild } from '../scripts/lib/services';
import { cleanups, serveWorkerChild, servicesEnv, startBenchServices, withCleanups } from './support/services';

const YEAR = 2025;
const CLAIM_DEADLINE = '2099-12-31';
const REMINDER_EVERY_SECONDS = 7 * 86_400;
const TARGET_WALL_S = 300;
const TARGET_EVENTS = 10_000;
const TARGET_MEMORY_MIB = 1536; // 1.5 GB
const POLL_MS = 250;
const WORKER_ARG = '--campaign-worker';
const BASELINE_ARG = '--campaign-baseline';
const BASELINE_INPUT_ENV = 'BENCH_CAMPAIGN_BASELINE_INPUT';
const DATABASE = 'cicpa_bench';
const BASELINE_DATABASE = 'cicpa_bench_baseline';
const EventType = temporal.api.enums.v1.EventType;

function envInt(name: string, fallback: number | undefined, min = 1): number | undefined {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isSafeInteger(value) || value < min) throw new Error(`${name} must be an integer ≥ ${min}: ${raw}`);
  return value;
}

/** Nearest-rank percentile. */
const percentile = (xs: readonly number[], p: number): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.max(0, Math.ceil((p / 100) * s.length) - 1)] : NaN;
};
/** p50/p95 in ms (or s), '—' for none. */
const p50p95 = (xs: readonly number[], digits = 0, unit = 'ms') =>
  xs.length
    ? `p50 ${percentile(xs, 50).toFixed(digits)} ${unit}, p95 ${percentile(xs, 95).toFixed(digits)} ${unit}`
    : '—';
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
const int = (n: number) => n.toLocaleString('en-US');
const mib = (kib: number) => kib / 1024;

// ------------------------------------------------------------------ memory (/proc)

/** VmRSS and VmHWM of one process in KiB, or null once it is gone. */
function memoryOf(pid: number): { rss: number; hwm: number; name: string } | null {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const field = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? 0);
    return { rss: field('VmRSS'), hwm: field('VmHWM'), name: /^Name:\s+(.*)$/m.exec(status)?.[1] ?? '?' };
  } catch {
    return null;
  }
}

/** The process and all its descendants (children of every thread, recursively). */
function processTree(pid: number): number[] {
  const out = [pid];
  for (let i = 0; i < out.length; i++) {
    let tasks: string[];
    try {
      tasks = readdirSync(`/proc/${out[i]}/task`);
    } catch {
      continue;
    }
    for (const tid of tasks) {
      try {
        const children = readFileSync(`/proc/${out[i]}/task/${tid}/children`, 'utf8').trim();
        if (children) out.push(...children.split(/\s+/).map(Number));
      } catch {
        // the thread or process ended meanwhile
      }
    }
  }
  return out;
}

/** Proportional set size in KiB (shared pages divided among the processes sharing them), or 0. */
function pssOf(pid: number): number {
  try {
    return Number(/^Pss:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8'))?.[1] ?? 0);
  } catch {
    return 0;
  }
}

interface TreeMemory {
  /** KiB, summed over the processes. */
  rss: number;
  hwm: number;
  pss: number;
  /** The root process alone. */
  rootRss: number;
  rootHwm: number;
  rootPss: number;
  /** Descendants, by name: count and summed VmHWM. */
  helpers: Map<string, { count: number; hwm: number }>;
}

function treeMemory(pid: number): TreeMemory {
  const result: TreeMemory = { rss: 0, hwm: 0, pss: 0, rootRss: 0, rootHwm: 0, rootPss: 0, helpers: new Map() };
  for (const p of processTree(pid)) {
    const m = memoryOf(p);
    if (!m) continue;
    result.rss += m.rss;
    result.hwm += m.hwm;
    const pss = pssOf(p);
    result.pss += pss;
    if (p === pid) {
      result.rootRss = m.rss;
      result.rootHwm = m.hwm;
      result.rootPss = pss;
    } else {
      const h = result.helpers.get(m.name) ?? { count: 0, hwm: 0 };
      result.helpers.set(m.name, { count: h.count + 1, hwm: h.hwm + m.hwm });
    }
  }
  return result;
}

// ------------------------------------------------------------------ child processes

interface BaselineInput {
  url: string;
  poolSize: number;
  year: number;
  provinceCodes: string[];
  pageSize: number;
  pagesPerBatch: number;
  claimDeadline: string;
}

interface BaselineResult {
  ms: number;
  batches: number;
  processed: number;
  reissued: number;
  invited: number;
}

/**
 * The baseline: what the province children ask of CampaignActivities, called directly (no Temporal), all provinces
 * in parallel on one DataSource with the worker's pool size. Reports its time over IPC and waits to be dismissed, so
 * the parent can read its VmHWM first.
 */
async function baselineChild(): Promise<void> {
  const input = JSON.parse(process.env[BASELINE_INPUT_ENV]!) as BaselineInput;
  const dataSource = await new DataSource(
    dataSourceOptions(input.url, { extra: { max: input.poolSize }, logging: ['error'] }),
  ).initialize();
  const activities = new CampaignActivities(dataSource);
  const processBatch = activities.processBatch.bind(activities);
  await new Promise<void>((resolve) => {
    process.once('message', () => resolve());
    process.send!('ready');
  });

  const { year, claimDeadline } = input;
  let batches = 0;
  const t0 = performance.now();
  const results = await Promise.all(
    input.provinceCodes.map(async (provinceCode) => {
      const key = { year, provinceCode };
      await activities.openProvince({ ...key, startsAt: null });
      await activities.setProvinceStatus({ ...key, status: 'waiting', startsAt: null });
      await activities.beginProcessing(key);
      await activities.setProvinceStatus({ ...key, status: 'running', startsAt: null });
      let cursor: string | null = null;
      for (;;) {
        const result: ProcessBatchResult = await new MockActivityEnvironment().run(processBatch, {
          ...key,
          cursor,
          pageSize: input.pageSize,
          pages: input.pagesPerBatch,
          claimDeadline,
        });
        batches++;
        cursor = result.cursor;
        if (result.done) break;
      }
      return activities.setProvinceStatus({ ...key, status: 'reminding', startsAt: null });
    }),
  );
  const ms = performance.now() - t0;
  const sum = (k: 'processed' | 'reissued' | 'invited') => results.reduce((a, c) => a + c[k], 0);
  const report: BaselineResult = {
    ms,
    batches,
    processed: sum('processed'),
    reissued: sum('reissued'),
    invited: sum('invited'),
  };
  await dataSource.destroy();
  process.once('disconnect', () => process.exit(0));
  process.send!(report);
}

function spawnChild(arg: string, env: NodeJS.ProcessEnv, root: string): ChildProcess {
  const child = spawn(process.execPath, ['-r', path.join(root, 'bench', 'register.mts'), __filename, arg], {
    cwd: root,
    env,
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  cleanups.push(() => stopTree(child));
  return child;
}

/**
 * Stops a child and whatever it started: SIGTERM (SIGKILL after 10 s) to the child, then SIGKILL to those of its
 * descendants (Chromium) that outlived it, identified by pid and name before the child was stopped.
 */
async function stopTree(child: ChildProcess): Promise<void> {
  const descendants = child.pid && child.exitCode === null ? processTree(child.pid).slice(1) : [];
  const names = new Map(descendants.map((pid) => [pid, memoryOf(pid)?.name]));
  await stopChild(child, 10_000);
  for (const [pid, name] of names) {
    if (name !== undefined && memoryOf(pid)?.name === name) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // gone meanwhile
      }
    }
  }
}

function nextMessage<T>(child: ChildProcess, what: string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const onExit = (code: number | null) => reject(new Error(`${what}: child exited with code ${code}`));
    child.once('exit', onExit);
    child.once('error', reject);
    child.once('message', (message) => {
      child.off('exit', onExit);
      child.off('error', reject);
      resolve(message as T);
    });
  });
}

// ------------------------------------------------------------------ data

interface DataMix {
  members: number;
  active: number;
  withECertificate: number;
  paperOnlyPre2021: number;
  passed: number;
  failed: number;
  exempt: number;
  missing: number;
  expectedReissues: number;
}

/** Certificates the seed does not issue: every post-2021 member's, and those pre-2021 members who claimed one. */
async function issueCertificates(db: PgClient, claimedPercent: number): Promise<void> {
  const holder = `(m.joined_on >= date '2021-01-01' OR abs(hashtext('claimed ' || m.certificate_no)) % 100 < ${claimedPercent})`;
  await db.query(
    `INSERT INTO certificates (certificate_no, version, status, reason, snapshot, workflow_id, issued_at,
                               superseded_at, pdf_blob_key, pdf_sha256)
     SELECT m.certificate_no, 1,
            CASE WHEN abs(hashtext(m.certificate_no)) % 10 = 0 THEN 'superseded' ELSE 'active' END, 'firstIssue',
            jsonb_build_object(
              'certificateNo', m.certificate_no, 'version', 1, 'name', m.name,
              'gender', CASE WHEN m.gender = 'M' THEN 'male' ELSE 'female' END,
              'provinceCode', m.province_code, 'instituteName', i.institute_name,
              'joinedOn', to_char(m.joined_on, 'YYYY-MM-DD'), 'approvalDocNo', m.approval_doc_no,
              'latestInspection', CASE WHEN p.passed_on IS NULL THEN NULL
                ELSE jsonb_build_object('year', 2024, 'passedOn', to_char(p.passed_on, 'YYYY-MM-DD')) END,
              'photoBlobKey', 'sha256/' || encode(sha256(m.id::text::bytea), 'hex'),
              'issuedOn', to_char(greatest(m.joined_on, date '2024-06-01'), 'YYYY-MM-DD')),
            'certificate-' || m.certificate_no || '-v1', greatest(m.joined_on, date '2024-06-01'),
            CASE WHEN abs(hashtext(m.certificate_no)) % 10 = 0 THEN now() END,
            'sha256/' || encode(sha256(m.certificate_no::bytea), 'hex'), encode(sha256(m.certificate_no::bytea), 'hex')
       FROM members m
       JOIN institutes i ON i.code = m.province_code
       LEFT JOIN inspections p ON p.member_id = m.id AND p.year = 2024 AND p.result = 'passed'
      WHERE ${holder}`,
  );
  await db.query(
    `INSERT INTO certificates (certificate_no, version, status, reason, snapshot, workflow_id, issued_at,
                               pdf_blob_key, pdf_sha256)
     SELECT certificate_no, 2, 'active', 'dataChange', snapshot || '{"version": 2}',
            'certificate-' || certificate_no || '-v2', superseded_at, pdf_blob_key, pdf_sha256
       FROM certificates WHERE version = 1 AND status = 'superseded'`,
  );
}

async function dataMix(db: PgClient): Promise<DataMix> {
  const { rows } = await db.query<Record<keyof DataMix, string>>(
    `SELECT count(*) AS members,
            count(*) FILTER (WHERE a) AS active,
            count(*) FILTER (WHERE a AND has) AS "withECertificate",
            count(*) FILTER (WHERE a AND NOT has AND m.joined_on < date '2021-01-01') AS "paperOnlyPre2021",
            count(*) FILTER (WHERE a AND i.result = 'passed') AS passed,
            count(*) FILTER (WHERE a AND i.result = 'failed') AS failed,
            count(*) FILTER (WHERE a AND i.result = 'exempt') AS exempt,
            count(*) FILTER (WHERE a AND i.result IS NULL) AS missing,
            count(*) FILTER (WHERE a AND has AND i.result = 'passed') AS "expectedReissues"
       FROM members m
       CROSS JOIN LATERAL (SELECT m.status = 'active' AS a,
                                  EXISTS (SELECT 1 FROM certificates c
                                           WHERE c.certificate_no = m.certificate_no AND c.status = 'active') AS has) x
       LEFT JOIN inspections i ON i.member_id = m.id AND i.year = $1`,
    [YEAR],
  );
  return Object.fromEntries(Object.entries(rows[0]).map(([k, v]) => [k, Number(v)])) as unknown as DataMix;
}

// ------------------------------------------------------------------ histories

interface HistoryFigures {
  executions: number;
  runsOfChildren: number;
  largest: { events: number; workflowId: string; runId: string; type: string };
  totalEvents: number;
  /** The children's actual page size and pages per batch (first run's input). */
  childInput: ProvinceCampaignInput | null;
  batchRunS: number[];
  batchQueueMs: number[];
  /** processBatch completed → next processBatch scheduled, within one run. */
  batchGapMs: number[];
}

async function histories(client: Client): Promise<HistoryFigures> {
  const query = `CampaignYear = ${YEAR}`;
  let listed: { workflowId: string; runId: string; type: string }[] = [];
  for (let i = 0; i < 20; i++) {
    listed = [];
    for await (const e of client.workflow.list({ query })) {
      listed.push({ workflowId: e.workflowId, runId: e.runId, type: e.type });
    }
    if (listed.length >= PROVINCES.length + 1) break;
    await sleep(500); // visibility is eventually consistent
  }
  const figures: HistoryFigures = {
    executions: listed.length,
    runsOfChildren: listed.filter((e) => e.type === 'provinceCampaign').length,
    largest: { events: 0, workflowId: '', runId: '', type: '' },
    totalEvents: 0,
    childInput: null,
    batchRunS: [],
    batchQueueMs: [],
    batchGapMs: [],
  };
  for (const execution of listed) {
    const events = (await client.workflow.getHandle(execution.workflowId, execution.runId).fetchHistory()).events ?? [];
    figures.totalEvents += events.length;
    if (events.length > figures.largest.events) figures.largest = { events: events.length, ...execution };
    const started = events[0]?.workflowExecutionStartedEventAttributes;
    if (execution.type === 'provinceCampaign' && !figures.childInput && started?.input?.payloads?.[0]) {
      const input = defaultPayloadConverter.fromPayload<ProvinceCampaignInput>(started.input.payloads[0]);
      if (!input.carry) figures.childInput = input;
    }
    const scheduledAt = new Map<string, number>();
    const batchIds = new Set<string>();
    let lastCompleted: number | null = null;
    for (const e of events) {
      const at = tsToMs(e.eventTime);
      if (e.eventType === EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED) {
        if (e.activityTaskScheduledEventAttributes?.activityType?.name !== 'processBatch') continue;
        batchIds.add(String(e.eventId));
        scheduledAt.set(String(e.eventId), at);
        if (lastCompleted !== null) figures.batchGapMs.push(at - lastCompleted);
      } else if (e.eventType === EventType.EVENT_TYPE_ACTIVITY_TASK_STARTED) {
        const id = String(e.activityTaskStartedEventAttributes?.scheduledEventId);
        if (batchIds.has(id)) figures.batchQueueMs.push(at - scheduledAt.get(id)!);
      } else if (e.eventType === EventType.EVENT_TYPE_ACTIVITY_TASK_COMPLETED) {
        const id = String(e.activityTaskCompletedEventAttributes?.scheduledEventId);
        if (!batchIds.has(id)) continue;
        figures.batchRunS.push((at - scheduledAt.get(id)!) / 1000);
        lastCompleted = at;
      }
    }
  }
  return figures;
}

// ------------------------------------------------------------------ main

async function main(): Promise<void> {
  const members = envInt('BENCH_CAMPAIGN_MEMBERS', 200_000)!;
  const pageSize = envInt('BENCH_CAMPAIGN_PAGE_SIZE', undefined);
  const claimedPercent = envInt('BENCH_CAMPAIGN_CLAIMED_PERCENT', 30, 0)!;
  const timeoutS = envInt('BENCH_CAMPAIGN_TIMEOUT_S', 1800)!;
  const root = path.resolve(__dirname, '..');
  const benchStarted = performance.now();
  const phase = (what: string) =>
    console.error(`campaign: ${((performance.now() - benchStarted) / 1000).toFixed(0).padStart(4)} s ${what}`);

  const services = await startBenchServices('campaign', DATABASE);
  const { dir, pg, temporal: temporalServer } = services;
  phase('services up, schema migrated');

  // ---------------------------------------------------------------- data
  const seedStarted = performance.now();
  const seedSource = await new DataSource(dataSourceOptions(pg.url, { logging: ['error'] })).initialize();
  try {
    await seedDemoData(seedSource, {
      members,
      blobStore: new FsBlobStore(path.join(dir, 'blobs')),
      demoPassword: randomBytes(12).toString('hex'),
    });
  } finally {
    await seedSource.destroy();
  }
  const seedS = (performance.now() - seedStarted) / 1000;
  phase(`seeded ${int(members)} members in ${seedS.toFixed(1)} s`);
  const prepareStarted = performance.now();
  const db = new PgClient({ connectionString: pg.url });
  await db.connect();
  let mix: DataMix;
  try {
    await issueCertificates(db, claimedPercent);
    await db.query(`VACUUM ANALYZE`);
    mix = await dataMix(db);
  } finally {
    await db.end(); // no session may be connected to the template while it is copied
  }
  const admin = new PgClient({ connectionString: pg.url.replace(/\/[^/]+$/, '/postgres') });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${BASELINE_DATABASE} TEMPLATE ${DATABASE}`);
  } finally {
    await admin.end();
  }
  const baselineUrl = pg.url.replace(/\/[^/]+$/, `/${BASELINE_DATABASE}`);
  const poll = new PgClient({ connectionString: pg.url });
  await poll.connect();
  cleanups.push(() => poll.end());
  const prepareS = (performance.now() - prepareStarted) / 1000;
  phase(`certificates issued, VACUUM ANALYZE, baseline copy in ${prepareS.toFixed(1)} s`);

  // ---------------------------------------------------------------- worker
  const env = servicesEnv(services, { WORKER_TASK_QUEUES: TASK_QUEUES.registry });
  const config = loadConfig(env, root);
  const worker = spawnChild(WORKER_ARG, env, root);
  await nextMessage(worker, 'worker start');
  await sleep(1000);
  const idle = treeMemory(worker.pid!);
  phase(`worker ready (pid ${worker.pid}, ${mib(idle.rss).toFixed(0)} MiB RSS with ${idle.helpers.size} helper kinds)`);

  // ---------------------------------------------------------------- the campaign
  const connection = await Connection.connect({ address: temporalServer.address });
  cleanups.push(() => connection.close());
  const client = new Client({ connection, namespace: temporalServer.namespace });
  const provinceCodes = [...new Set(PROVINCES.map((p) => p.code))].sort();

  let peakRss = idle.rss;
  let peakPss = idle.pss;
  let peakHelperPss = idle.pss - idle.rootPss;
  const t0 = performance.now();
  await client.workflow.start<typeof inspectionCampaign>('inspectionCampaign', {
    taskQueue: TASK_QUEUES.registry,
    workflowId: workflowIds.campaign(YEAR),
    args: [
      {
        year: YEAR,
        provinceCodes,
        claimDeadline: CLAIM_DEADLINE,
        reminderEverySeconds: REMINDER_EVERY_SECONDS,
        launchedBy: { actorId: null, actorLabel: 'bench/campaign' },
        ...(pageSize !== undefined ? { pageSize } : {}),
      },
    ],
    workflowIdReusePolicy: 'REJECT_DUPLICATE',
    typedSearchAttributes: [
      { key: SEARCH_ATTRIBUTES.campaignYear, value: YEAR },
      { key: SEARCH_ATTRIBUTES.province, value: NATIONAL_PROVINCE_VALUE },
      { key: SEARCH_ATTRIBUTES.stage, value: 'running' },
    ],
    staticSummary: `${YEAR} 年度年检换发（bench/campaign）`,
  });
  let lastReport = t0;
  let finishedMs: number | null = null;
  const firstDone: number[] = [];
  for (;;) {
    const { rows } = await poll.query<{ done: string; processed: string; rows: string }>(
      `SELECT count(*) FILTER (WHERE processed = total AND status = 'reminding') AS done,
              coalesce(sum(processed), 0) AS processed, count(*) AS rows
         FROM campaign_provinces WHERE campaign_year = $1`,
      [YEAR],
    );
    const now = performance.now();
    const sample = treeMemory(worker.pid!);
    peakRss = Math.max(peakRss, sample.rss);
    peakPss = Math.max(peakPss, sample.pss);
    peakHelperPss = Math.max(peakHelperPss, sample.pss - sample.rootPss);
    const done = Number(rows[0].done);
    const processed = Number(rows[0].processed);
    while (firstDone.length < done) firstDone.push(now - t0);
    if (done === provinceCodes.length) {
      finishedMs = now - t0;
      break;
    }
    if (worker.exitCode !== null) throw new Error(`the worker exited with code ${worker.exitCode}`);
    if (now - t0 > timeoutS * 1000) break;
    if (now - lastReport >= 15_000) {
      lastReport = now;
      phase(
        `… ${((now - t0) / 1000).toFixed(0)} s after launch: ${int(processed)}/${int(mix.active)} processed, ` +
          `${done}/${provinceCodes.length} provinces reminding, worker ${mib(peakRss).toFixed(0)} MiB peak RSS`,
      );
    }
    await sleep(Math.max(0, POLL_MS - (performance.now() - now)));
  }
  const end = treeMemory(worker.pid!);
  peakRss = Math.max(peakRss, end.rss);
  peakPss = Math.max(peakPss, end.pss);
  phase(
    finishedMs === null ? `gave up after ${timeoutS} s` : `campaign processed in ${(finishedMs / 1000).toFixed(1)} s`,
  );

  const [check] = (
    await poll.query<Record<string, string>>(
      `SELECT (SELECT count(*) FROM campaign_members WHERE campaign_year = $1) AS decided,
              (SELECT count(*) FROM members WHERE status = 'active') AS active,
              (SELECT count(*) FROM certificates WHERE status = 'pending' AND reason = 'reissue') AS "pendingReissues",
              sum(total) AS total, sum(processed) AS processed, sum(inspected) AS inspected, sum(reissued) AS reissued,
              sum(invited) AS invited, sum(failed) AS failed, sum(pending) AS missing
         FROM campaign_provinces WHERE campaign_year = $1`,
      [YEAR],
    )
  ).rows.map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, Number(v)])));
  const byInspection = Object.fromEntries(
    (
      await poll.query<{ inspection: string; n: string }>(
        `SELECT inspection, count(*) AS n FROM campaign_members WHERE campaign_year = $1 GROUP BY 1`,
        [YEAR],
      )
    ).rows.map((r) => [r.inspection, Number(r.n)]),
  );

  const history = await histories(client);
  phase(`${history.executions} executions' histories read`);

  // The worker goes before the baseline runs, so the baseline has the machine to itself (Temporal stays idle).
  await stopTree(worker);

  // ---------------------------------------------------------------- baseline
  const childPageSize = history.childInput?.pageSize ?? pageSize ?? 500;
  const childPages = history.childInput?.pagesPerBatch ?? 10;
  const baselineInput: BaselineInput = {
    url: baselineUrl,
    poolSize: config.database.poolSize,
    year: YEAR,
    provinceCodes,
    pageSize: childPageSize,
    pagesPerBatch: childPages,
    claimDeadline: CLAIM_DEADLINE,
  };
  const baselineChildProcess = spawnChild(
    BASELINE_ARG,
    { ...process.env, [BASELINE_INPUT_ENV]: JSON.stringify(baselineInput) },
    root,
  );
  await nextMessage(baselineChildProcess, 'baseline start');
  const baselineIdle = treeMemory(baselineChildProcess.pid!);
  const baselineDone = nextMessage<BaselineResult>(baselineChildProcess, 'baseline');
  baselineChildProcess.send('go');
  let baselinePeakRss = baselineIdle.rss;
  const sampler = setInterval(() => {
    baselinePeakRss = Math.max(baselinePeakRss, treeMemory(baselineChildProcess.pid!).rss);
  }, POLL_MS);
  const baseline = await baselineDone.finally(() => clearInterval(sampler));
  const baselineMemory = treeMemory(baselineChildProcess.pid!);
  baselineChildProcess.disconnect();
  phase(`baseline processed in ${(baseline.ms / 1000).toFixed(1)} s`);

  // ---------------------------------------------------------------- report
  const wallS = finishedMs === null ? null : finishedMs / 1000;
  const baselineS = baseline.ms / 1000;
  const memoryMiB = mib(end.hwm);
  const verdict = (ok: boolean) => (ok ? 'met' : 'MISSED');
  const rows: [string, string, string, string, string][] = [
    ['figure', 'measured', 'target', 'baseline (no Temporal)', 'verdict'],
    [
      'launch → all decided',
      wallS === null ? `> ${timeoutS} s` : `${wallS.toFixed(1)} s`,
      `≤ ${TARGET_WALL_S} s`,
      `${baselineS.toFixed(1)} s (ratio ${wallS === null ? '—' : (wallS / baselineS).toFixed(2)})`,
      verdict(wallS !== null && wallS <= TARGET_WALL_S),
    ],
    [
      'largest history',
      `${int(history.largest.events)} events`,
      `≤ ${int(TARGET_EVENTS)}`,
      '—',
      verdict(history.largest.events <= TARGET_EVENTS),
    ],
    [
      end.helpers.size ? 'peak worker memory (+ helpers)' : 'peak worker memory',
      `${memoryMiB.toFixed(0)} MiB`,
      `≤ ${TARGET_MEMORY_MIB} MiB`,
      `${mib(baselineMemory.hwm).toFixed(0)} MiB`,
      verdict(memoryMiB <= TARGET_MEMORY_MIB),
    ],
  ];
  if (end.helpers.size) {
    rows.push([
      '  worker node process alone',
      `${mib(end.rootHwm).toFixed(0)} MiB`,
      `≤ ${TARGET_MEMORY_MIB} MiB`,
      `${mib(baselineMemory.hwm).toFixed(0)} MiB`,
      verdict(mib(end.rootHwm) <= TARGET_MEMORY_MIB),
    ]);
  }
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  console.log(
    `campaign: ${int(mix.members)} members (${int(mix.active)} active) in ${provinceCodes.length} provinces, ` +
      `year ${YEAR}; page ${childPageSize} × ${childPages} pages a batch` +
      (history.childInput ? `, ${history.childInput.batchesPerRun} batches a run` : ''),
  );
  for (const r of rows) console.log(`  ${r.map((c, i) => c.padEnd(widths[i])).join('  ')}`.trimEnd());
  const helperText = [...end.helpers.entries()]
    .map(([name, h]) => `${name} × ${h.count}, sum of their VmHWM ${mib(h.hwm).toFixed(0)} MiB`)
    .join('; ');
  console.log(
    `campaign: worker memory: node VmHWM ${mib(end.rootHwm).toFixed(0)} MiB (VmRSS ${mib(idle.rootRss).toFixed(0)} MiB ` +
      `at rest before launch); ${helperText ? `helpers: ${helperText}` : 'no helper processes'}; largest sampled ` +
      `sums: VmRSS ${mib(peakRss).toFixed(0)} MiB, Pss ${mib(peakPss).toFixed(0)} MiB (helpers ` +
      `${mib(peakHelperPss).toFixed(0)} MiB; Pss counts shared pages once) | baseline process VmHWM ` +
      `${mib(baselineMemory.hwm).toFixed(0)} MiB (VmRSS ${mib(baselineIdle.rss).toFixed(0)} MiB at rest)`,
  );
  console.log(
    `campaign: largest history ${history.largest.type} ${history.largest.workflowId} (run ${history.largest.runId}); ` +
      `${history.executions} executions with CampaignYear = ${YEAR} (${history.runsOfChildren} province runs), ` +
      `${int(history.totalEvents)} events in all`,
  );
  console.log(
    `campaign: processBatch × ${history.batchRunS.length} (baseline ${baseline.batches}): scheduled → completed ` +
      `${p50p95(history.batchRunS, 1, 's')}, max ${Math.max(0, ...history.batchRunS).toFixed(1)} s; ` +
      `scheduled → started ${p50p95(history.batchQueueMs)}; completed → next scheduled ${p50p95(history.batchGapMs)}`,
  );
  if (firstDone.length) {
    console.log(
      `campaign: provinces reminding after ${(firstDone[0] / 1000).toFixed(1)} s (first), ` +
        `${(percentile(firstDone, 50) / 1000).toFixed(1)} s (half), ` +
        `${(firstDone[firstDone.length - 1] / 1000).toFixed(1)} s (last)`,
    );
  }
  console.log(
    `campaign: data: ${int(mix.active)} active members, ${int(mix.withECertificate)} with an active e-certificate, ` +
      `${int(mix.paperOnlyPre2021)} pre-2021 with paper only; ${YEAR} inspection passed ${int(mix.passed)}, ` +
      `failed ${int(mix.failed)}, exempt ${int(mix.exempt)}, missing ${int(mix.missing)}; ` +
      `expected reissues ${int(mix.expectedReissues)}`,
  );
  console.log(
    `campaign: outcome: decided ${int(check.decided)} (passed ${int(byInspection.passed ?? 0)}, ` +
      `failed ${int(byInspection.failed ?? 0)}, exempt ${int(byInspection.exempt ?? 0)}, ` +
      `missing ${int(byInspection.missing ?? 0)}), reissued ${int(check.reissued)}, invited ${int(check.invited)} | ` +
      `baseline: processed ${int(baseline.processed)}, reissued ${int(baseline.reissued)}, invited ${int(baseline.invited)}`,
  );
  const decidedOk = check.decided === check.active;
  const reissuesOk = check.pendingReissues === check.reissued;
  console.log(
    `campaign: checks: campaign_members ${int(check.decided)} ${decidedOk ? '=' : '≠'} active members ` +
      `${int(check.active)}; pending reissue versions ${int(check.pendingReissues)} ${reissuesOk ? '=' : '≠'} ` +
      `sum(reissued) ${int(check.reissued)}${decidedOk && reissuesOk ? '' : '  ← MISMATCH'}`,
  );
  console.log(
    `campaign: set-up: seed ${seedS.toFixed(1)} s, certificates + VACUUM ANALYZE + copy ${prepareS.toFixed(1)} s; ` +
      `bench total ${((performance.now() - benchStarted) / 1000).toFixed(0)} s`,
  );
}

async function entry(): Promise<void> {
  // The SDK's worker state changes and webpack's module list are INFO: keep the output to the figures.
  Runtime.install({ logger: new DefaultLogger('WARN') });
  if (process.argv.includes(WORKER_ARG)) return serveWorkerChild();
  if (process.argv.includes(BASELINE_ARG)) return baselineChild();
  await withCleanups(main);
}

entry().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
