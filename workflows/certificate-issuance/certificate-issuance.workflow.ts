/**
 * certificateIssuance (R1, R9, R17, R20): one new version of a member's e-certificate.
 *
 *   snapshot member data → check every character prints (render queue) → create the version row (pending)
 *   → render + seal + store (render queue; the PDF travels as a blob key) → activate, supersede the previous
 *   version → notify the member.
 *
 * Idempotent per version: the workflow id is `certificate-<certificateNo>-v<version>`, the row is keyed by
 * (certificate_no, version), the render activity records its blob key on that row and reuses it on a retry, and
 * the notification's dedupe key names the version. A retried activity or a restarted worker therefore never
 * creates a second version or a second file.
 */
import {
  ActivityFailure,
  ApplicationFailure,
  proxyActivities,
  setCurrentDetails,
  setHandler,
  upsertSearchAttributes,
} from '@temporalio/workflow';
import { SEARCH_ATTRIBUTES, TASK_QUEUES } from '@app/temporal/names';
import type { CertificateActivities } from '../../activities/certificates/certificate.activities';
import type { RenderActivities } from '../../activities/render/render.activities';
import {
  ISSUANCE_FAILURES,
  ISSUANCE_REASON_LABELS,
  ISSUANCE_STAGE_LABELS,
  progressQuery,
  type CertificateIssuanceInput,
  type CertificateIssuanceProgress,
  type CertificateIssuanceResult,
  type IssuanceStage,
} from './certificate-issuance.messages';

const registry = proxyActivities<CertificateActivities>({
  startToCloseTimeout: '1 minute',
  retry: {
    initialInterval: '1 second',
    maximumInterval: '1 minute',
    nonRetryableErrorTypes: Object.values(ISSUANCE_FAILURES),
  },
});

// Rendering runs on its own queue (Chromium pool). A render takes well under a second; the heartbeat timeout lets
// Temporal notice a killed render worker within seconds and hand the task to another one.
const render = proxyActivities<RenderActivities>({
  taskQueue: TASK_QUEUES.render,
  startToCloseTimeout: '2 minutes',
  heartbeatTimeout: '10 seconds',
  retry: {
    initialInterval: '1 second',
    maximumInterval: '1 minute',
    nonRetryableErrorTypes: Object.values(ISSUANCE_FAILURES),
  },
});

export async function certificateIssuance(input: CertificateIssuanceInput): Promise<CertificateIssuanceResult> {
  const { certificateNo, version } = input;
  let progress: CertificateIssuanceProgress = {
    certificateNo,
    version,
    stage: 'snapshot',
    stageLabel: ISSUANCE_STAGE_LABELS.snapshot,
    pdfSha256: null,
  };
  setHandler(progressQuery, () => progress);
  const enter = (stage: IssuanceStage, details?: string) => {
    progress = { ...progress, stage, stageLabel: ISSUANCE_STAGE_LABELS[stage] };
    upsertSearchAttributes([{ key: SEARCH_ATTRIBUTES.stage, value: stage }]);
    setCurrentDetails(
      `证书 ${certificateNo} 第 ${version} 版（${ISSUANCE_REASON_LABELS[input.reason]}）：${details ?? progress.stageLabel}`,
    );
  };

  enter('snapshot');
  const snapshot = await refusalsAsFailure(() => registry.loadIssuanceSnapshot(input), enter);
  upsertSearchAttributes([
    { key: SEARCH_ATTRIBUTES.province, value: snapshot.provinceCode },
    { key: SEARCH_ATTRIBUTES.memberNo, value: certificateNo },
  ]);

  enter('fontCheck');
  await refusalsAsFailure(
    () => render.checkPrintable({ name: snapshot.name, approvalDocNo: snapshot.approvalDocNo }),
    enter,
  );
  await registry.createVersion(input, snapshot);

  enter('render');
  const rendered = await render.renderCertificate({
    view: {
      certificateNo,
      version,
      name: snapshot.name,
      gender: snapshot.gender,
      instituteName: snapshot.instituteName,
      joinedOn: snapshot.joinedOn,
      approvalDocNo: snapshot.approvalDocNo,
      latestInspection: snapshot.latestInspection,
      issuedOn: snapshot.issuedOn,
    },
    photoBlobKey: snapshot.photoBlobKey,
    location: '北京',
  });
  progress = { ...progress, pdfSha256: rendered.sha256 };

  enter('activate');
  const activation = await registry.activateVersion({
    certificateNo,
    version,
    pdfBlobKey: rendered.pdfBlobKey,
    pdfSha256: rendered.sha256,
    requestedBy: input.requestedBy,
    reason: input.reason,
  });

  if (activation.status === 'active') {
    enter('notify');
    await registry.notifyMember({ certificateNo, version, reason: input.reason });
  }
  enter('done', activation.status === 'active' ? '已签发并启用' : '已签发（已有更新版本，本版本直接作废）');
  return { certificateNo, version, ...activation, pdfSha256: rendered.sha256 };
}

/**
 * A refusal (unprintable name, member not eligible) is an ApplicationFailure of a known type raised by an activity:
 * end the workflow with that message (Chinese, for the staff who see it) instead of a generic activity failure.
 */
async function refusalsAsFailure<T>(
  step: () => Promise<T>,
  enter: (stage: IssuanceStage, details?: string) => void,
): Promise<T> {
  try {
    return await step();
  } catch (error) {
    if (
      error instanceof ActivityFailure &&
      error.cause instanceof ApplicationFailure &&
      (Object.values(ISSUANCE_FAILURES) as string[]).includes(error.cause.type ?? '')
    ) {
      enter('refused', error.cause.message);
      throw ApplicationFailure.nonRetryable(error.cause.message, error.cause.type ?? undefined);
    }
    throw error;
  }
}
