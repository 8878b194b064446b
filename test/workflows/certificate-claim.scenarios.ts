/**
 * Scenarios of certificateClaim with its photoVerification and certificateIssuance children, on in-memory activities.
 * Shared by the time-skipping test and by the script that records histories for the replay tests.
 */
import { ApplicationFailure } from '@temporalio/common';
import { Context } from '@temporalio/activity';
import type { Client } from '@temporalio/client';
import { bundleWorkflowCode, type NativeConnection, type WorkflowBundle } from '@temporalio/worker';
import { createTestWorker } from '../support/temporal';
import type { PhotoRoute } from '@app/domain/claims';
import { withWorkflowAliases } from '@app/temporal/bundle';
import { TASK_QUEUES } from '@app/temporal/names';
import { decisionSignal } from '../../workflows/common/decision-inbox';
import {
  cancelClaimSignal,
  claimProgressQuery,
  dataConfirmedSignal,
  type CertificateClaimInput,
  type CertificateClaimResult,
} from '../../workflows/certificate-claim/certificate-claim.messages';
import {
  photoProgressQuery,
  type ComparisonOutcome,
  type OnSiteDecision,
} from '../../workflows/photo-verification/photo-verification.messages';
import type { CertificateIssuanceInput } from '../../workflows/certificate-issuance/certificate-issuance.messages';

export const WORKFLOWS_PATH = require.resolve('../../workflows/index');

export type Sleep = (ms: number) => Promise<void>;

export interface ClaimScenario {
  readonly name: string;
  readonly route: PhotoRoute;
  readonly comparisonAvailable?: boolean;
  /** What the fake provider answers; 'slow' outlasts the timeout, 'unavailable' throws. */
  readonly comparison?: ComparisonOutcome['outcome'] | 'slow' | 'unavailable';
  readonly examEligible?: boolean;
  /** What happens once the on-site task is open. */
  readonly onSite?: 'approve' | 'reject' | 'cancel';
}

export const CLAIM_SCENARIOS: readonly ClaimScenario[] = [
  { name: 'exam-photo-issued', route: 'examPhoto', examEligible: true },
  { name: 'exam-photo-refused', route: 'examPhoto', examEligible: false },
  { name: 'comparison-match', route: 'comparison', comparison: 'match' },
  { name: 'comparison-no-match-on-site', route: 'comparison', comparison: 'noMatch', onSite: 'approve' },
  { name: 'comparison-timeout-on-site', route: 'comparison', comparison: 'slow', onSite: 'approve' },
  { name: 'comparison-unavailable-on-site', route: 'comparison', comparison: 'unavailable', onSite: 'approve' },
  { name: 'comparison-off-rejected', route: 'comparison', comparisonAvailable: false, onSite: 'reject' },
  { name: 'on-site-cancelled', route: 'onSite', onSite: 'cancel' },
];

/** In-memory activities of the three workflows that record what was asked of them. */
export function fakeActivities(scenario: ClaimScenario) {
  const calls: string[] = [];
  const record =
    (name: string) =>
    async (...args: unknown[]) => {
      calls.push(name);
      void args;
    };
  const registry = {
    // certificateClaim
    recordClaimStage: async (input: { stage: string }) => void calls.push(`claim:${input.stage}`),
    nextPhotoAttempt: async () => ({ attempt: 1 }),
    nextCertificateVersion: async () => ({ version: 1, reason: 'firstIssue' as const }),
    // photoVerification
    beginPhotoVerification: record('beginPhotoVerification'),
    adoptExamPhoto: async () => {
      calls.push('adoptExamPhoto');
      if (!scenario.examEligible) {
        throw ApplicationFailure.nonRetryable('考试系统只保存 2010 年及以后全科合格人员的照片', 'NotEligible');
      }
      return { photoId: 'exam-photo-1' };
    },
    comparePhoto: async (): Promise<ComparisonOutcome> => {
      calls.push('comparePhoto');
      if (scenario.comparison === 'unavailable') {
        throw ApplicationFailure.nonRetryable('provider down', 'PhotoComparisonUnavailable');
      }
      if (scenario.comparison === 'slow') {
        await Context.current().sleep(60_000);
      }
      return {
        outcome: scenario.comparison as ComparisonOutcome['outcome'],
        score: 0.5,
        threshold: 0.6,
        provider: 'fake',
      };
    },
    acceptPhoto: record('acceptPhoto'),
    recordFallback: async (input: { cause: string }) => void calls.push(`fallback:${input.cause}`),
    openOnSiteTask: async (input: { attempt: number }) => (
      calls.push('openOnSiteTask'),
      { taskId: `onSite-${input.attempt}` }
    ),
    remindReviewTask: record('remindReviewTask'),
    cancelOnSiteTask: record('cancelOnSiteTask'),
    recordOnSiteOutcome: async (input: { decision: OnSiteDecision }) =>
      void calls.push(`onSite:${input.decision.outcome}`),
    finishPhotoVerification: record('finishPhotoVerification'),
    // certificateIssuance
    loadIssuanceSnapshot: async (input: CertificateIssuanceInput) => ({
      certificateNo: input.certificateNo,
      version: input.version,
      name: '王小明',
      gender: 'male' as const,
      provinceCode: '11',
      instituteName: '北京注册会计师协会',
      joinedOn: '2016-03-01',
      approvalDocNo: '京注协〔2016〕42号',
      latestInspection: null,
      photoBlobKey: 'a'.repeat(64),
      issuedOn: '2025-06-01',
    }),
    createVersion: record('createVersion'),
    activateVersion: async () => (
      calls.push('activateVersion'),
      { status: 'active' as const, supersededVersion: null }
    ),
    notifyMember: record('notifyMember'),
  };
  const render = {
    checkPrintable: async () => undefined,
    renderCertificate: async () => (
      calls.push('renderCertificate'),
      { pdfBlobKey: 'b'.repeat(64), sha256: 'b'.repeat(64), bytes: 1 }
    ),
  };
  return { calls, registry, render };
}

export const claimInput = (scenario: ClaimScenario, certificateNo: string): CertificateClaimInput => ({
  memberId: '00000000-0000-0000-0000-000000000042',
  certificateNo,
  provinceCode: '11',
  memberName: '王小明',
  route: scenario.route,
  candidatePhotoId: scenario.route === 'comparison' ? 'upload-1' : null,
  comparisonAvailable: scenario.comparisonAvailable ?? true,
  comparisonTimeoutSeconds: 2,
  reminderAfterSeconds: 3 * 86400,
});

const decision = (outcome: OnSiteDecision['outcome']): OnSiteDecision => ({
  outcome,
  reason: outcome === 'reject' ? '本人与身份证照片不符' : null,
  photoId: outcome === 'approve' ? 'on-site-photo-1' : null,
  decidedBy: '00000000-0000-0000-0000-0000000000aa',
  decidedByLabel: '测试工作人员',
});

async function until<T>(read: () => Promise<T>, ok: (value: T) => boolean, sleep: Sleep, what: string): Promise<T> {
  for (let i = 0; i < 300; i++) {
    const value = await read().catch(() => undefined);
    if (value !== undefined && ok(value)) return value;
    await sleep(100);
  }
  throw new Error(`never reached: ${what}`);
}

/** Runs a scenario to its end; returns the claim and photo workflow ids and the claim's result. */
export async function runClaimScenario(
  client: Client,
  taskQueue: string,
  scenario: ClaimScenario,
  certificateNo: string,
  sleep: Sleep,
): Promise<{ claimId: string; photoId: string; result: CertificateClaimResult }> {
  const claimId = `claim-${certificateNo}`;
  const photoId = `photo-${certificateNo}-1`;
  const handle = await client.workflow.start('certificateClaim', {
    taskQueue,
    workflowId: claimId,
    args: [claimInput(scenario, certificateNo)],
  });
  if (scenario.onSite) {
    const photo = client.workflow.getHandle(photoId);
    const progress = await until(
      () => photo.query(photoProgressQuery),
      (p) => p.taskId !== null,
      sleep,
      'on-site task',
    );
    if (scenario.onSite === 'cancel') {
      await handle.signal(cancelClaimSignal);
      return { claimId, photoId, result: await handle.result() };
    }
    await photo.signal(decisionSignal, { taskId: progress.taskId!, decision: decision(scenario.onSite) });
  }
  const first = await until(
    () => handle.query(claimProgressQuery),
    (p) => p.stage !== 'photo',
    sleep,
    'photo verified',
  );
  if (first.stage === 'confirm') await handle.signal(dataConfirmedSignal);
  return { claimId, photoId, result: await handle.result() };
}

let bundle: Promise<WorkflowBundle> | undefined;

/** Registry and render workers for one scenario on the test server (the workflow bundle is built once). */
export async function claimWorkers(
  connection: NativeConnection,
  namespace: string,
  taskQueue: string,
  scenario: ClaimScenario,
) {
  const activities = fakeActivities(scenario);
  bundle ??= bundleWorkflowCode({
    workflowsPath: WORKFLOWS_PATH,
    webpackConfigHook: (config) => withWorkflowAliases(config),
    logger: { trace() {}, debug() {}, info() {}, warn() {}, error: console.error, log() {} },
  });
  const registry = await createTestWorker({
    connection,
    namespace,
    taskQueue,
    workflowBundle: await bundle,
    activities: activities.registry,
  });
  const render = await createTestWorker({
    connection,
    namespace,
    taskQueue: TASK_QUEUES.render,
    activities: activities.render,
  });
  return {
    calls: activities.calls,
    runUntil: <T>(work: Promise<T>) => render.runUntil(registry.runUntil(work)),
  };
}
