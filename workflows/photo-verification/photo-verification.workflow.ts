/**
 * photoVerification (R7, R10, R17, R20): one attempt to give the member a verified certificate photo.
 *
 *   examPhoto  → adopt the exam system's photo (≥ 2010 only; refused with the reason otherwise)
 *   comparison → compare the upload with the photo on file; match → accepted; no match, no face, several faces,
 *                provider unavailable or too slow → on-site (the member is told why)
 *   onSite     → a task in the institute's queue; staff check the originals and upload the photo, or reject
 *
 * Comparison not yet available (R7c) sends uploads straight to on-site review. Cancelling the workflow (the member
 * withdrew the claim) cancels an open on-site task.
 */
import {
  ActivityFailure,
  ApplicationFailure,
  CancellationScope,
  isCancellation,
  proxyActivities,
  setCurrentDetails,
  setHandler,
  TimeoutFailure,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import { FALLBACK_REASONS, PHOTO_ROUTE_LABELS, type FallbackCause } from '@app/domain/claims';
import { SEARCH_ATTRIBUTES } from '@app/temporal/names';
import type { ApplicationActivities } from '../../activities/applications/applications.activities';
import type { PhotoActivities } from '../../activities/photos/photo.activities';
import { DecisionInbox, decisionSignal } from '../common/decision-inbox';
import {
  PHOTO_FAILURES,
  photoProgressQuery,
  type ComparisonOutcome,
  type OnSiteDecision,
  type PhotoStage,
  type PhotoVerificationInput,
  type PhotoVerificationProgress,
  type PhotoVerificationResult,
} from './photo-verification.messages';

const photos = proxyActivities<PhotoActivities>({
  startToCloseTimeout: '1 minute',
  retry: { maximumInterval: '1 minute', nonRetryableErrorTypes: [PHOTO_FAILURES.notEligible] },
});
const reminders = proxyActivities<Pick<ApplicationActivities, 'remindReviewTask'>>({
  startToCloseTimeout: '1 minute',
  retry: { maximumInterval: '1 minute' },
});

export async function photoVerification(input: PhotoVerificationInput): Promise<PhotoVerificationResult> {
  const inbox = new DecisionInbox();
  const workflowId = workflowInfo().workflowId;
  let progress: PhotoVerificationProgress = {
    attempt: input.attempt,
    requestedRoute: input.route,
    route: input.route,
    stage: input.route === 'onSite' ? 'onSite' : input.route === 'examPhoto' ? 'examPhoto' : 'comparing',
    taskId: null,
    fallback: null,
    comparison: null,
  };
  setHandler(decisionSignal, (signal) => inbox.deliver(signal));
  setHandler(photoProgressQuery, () => progress);
  const enter = (stage: PhotoStage, details: string, patch: Partial<PhotoVerificationProgress> = {}) => {
    progress = { ...progress, ...patch, stage };
    upsertSearchAttributes([{ key: SEARCH_ATTRIBUTES.stage, value: stage }]);
    setCurrentDetails(`${input.certificateNo} ${input.memberName}：${details}`);
  };
  upsertSearchAttributes([
    { key: SEARCH_ATTRIBUTES.province, value: input.provinceCode },
    { key: SEARCH_ATTRIBUTES.memberNo, value: input.certificateNo },
  ]);
  enter(progress.stage, PHOTO_ROUTE_LABELS[input.route]);
  await photos.beginPhotoVerification({
    memberId: input.memberId,
    workflowId,
    attempt: input.attempt,
    route: input.route,
  });

  const finish = async (result: PhotoVerificationResult): Promise<PhotoVerificationResult> => {
    await photos.finishPhotoVerification({ memberId: input.memberId, workflowId, result });
    enter(result.outcome, result.reason ?? (result.outcome === 'accepted' ? '照片已核验' : result.outcome));
    return result;
  };

  if (input.route === 'examPhoto') {
    try {
      const { photoId } = await photos.adoptExamPhoto({ memberId: input.memberId, workflowId });
      return await finish({ outcome: 'accepted', route: 'examPhoto', photoId, reason: null, fallback: null });
    } catch (error) {
      const refusal = refusalOf(error, PHOTO_FAILURES.notEligible);
      if (refusal === null) throw error;
      return await finish({ outcome: 'refused', route: 'examPhoto', photoId: null, reason: refusal, fallback: null });
    }
  }

  let fallback: FallbackCause | null = null;
  if (input.route === 'comparison') {
    if (!input.comparisonAvailable) {
      fallback = 'notAvailable';
    } else {
      const compared = await compare(input);
      if ('outcome' in compared && compared.outcome === 'match') {
        enter('comparing', '比对一致', { comparison: compared });
        await photos.acceptPhoto({ memberId: input.memberId, photoId: input.candidatePhotoId!, workflowId });
        return await finish({
          outcome: 'accepted',
          route: 'comparison',
          photoId: input.candidatePhotoId,
          reason: null,
          fallback: null,
        });
      }
      fallback = 'outcome' in compared ? (compared.outcome as FallbackCause) : compared.cause;
      if ('outcome' in compared) progress = { ...progress, comparison: compared };
    }
    await photos.recordFallback({ memberId: input.memberId, workflowId, cause: fallback });
  }

  // On site: directly chosen, or the comparison's fallback.
  enter('onSite', fallback ? `${FALLBACK_REASONS[fallback]}转现场核验` : '等待现场核验', {
    route: 'onSite',
    fallback,
  });
  const task = await photos.openOnSiteTask({
    memberId: input.memberId,
    workflowId,
    attempt: input.attempt,
    candidatePhotoId: input.candidatePhotoId,
    fallback,
    dueInSeconds: input.reminderAfterSeconds,
  });
  progress = { ...progress, taskId: task.taskId };
  let decision: OnSiteDecision;
  try {
    decision = await inbox.waitFor<OnSiteDecision>(task.taskId, {
      remindEvery: input.reminderAfterSeconds * 1000,
      onOverdue: (reminder) => reminders.remindReviewTask({ taskId: task.taskId, reminder }),
    });
  } catch (error) {
    if (isCancellation(error)) {
      // The member withdrew the claim: take the task out of the institute's queue, then end cancelled.
      await CancellationScope.nonCancellable(async () => {
        await photos.cancelOnSiteTask({ taskId: task.taskId, workflowId });
        enter('cancelled', '会员已撤销申领');
      });
    }
    throw error;
  }
  progress = { ...progress, taskId: null };
  await photos.recordOnSiteOutcome({ memberId: input.memberId, workflowId, taskId: task.taskId, decision });
  return await finish(
    decision.outcome === 'approve'
      ? { outcome: 'accepted', route: 'onSite', photoId: decision.photoId, reason: null, fallback }
      : { outcome: 'rejected', route: 'onSite', photoId: null, reason: decision.reason, fallback },
  );
}

/**
 * The comparison, bounded by the configured timeout (one attempt: a slow or failing provider sends the member on
 * site rather than keeping them waiting). Returns the provider's verdict or why there is none.
 */
async function compare(input: PhotoVerificationInput): Promise<ComparisonOutcome | { cause: FallbackCause }> {
  const comparing = proxyActivities<PhotoActivities>({
    startToCloseTimeout: input.comparisonTimeoutSeconds * 1000,
    heartbeatTimeout: Math.max(1, Math.ceil(input.comparisonTimeoutSeconds / 2)) * 1000,
    retry: { maximumAttempts: 1 },
  });
  try {
    return await comparing.comparePhoto({ memberId: input.memberId, photoId: input.candidatePhotoId! });
  } catch (error) {
    if (!(error instanceof ActivityFailure)) throw error;
    if (error.cause instanceof TimeoutFailure) return { cause: 'timeout' };
    // The provider's own timeout (the same setting) can fire just before the activity's.
    if (error.cause instanceof ApplicationFailure && error.cause.type === PHOTO_FAILURES.comparisonTimeout) {
      return { cause: 'timeout' };
    }
    if (error.cause instanceof ApplicationFailure && error.cause.type === PHOTO_FAILURES.noReference) {
      return { cause: 'noReference' };
    }
    return { cause: 'unavailable' };
  }
}

/** The Chinese message of a refusal of the given type raised by an activity, or null for any other error. */
function refusalOf(error: unknown, type: string): string | null {
  return error instanceof ActivityFailure && error.cause instanceof ApplicationFailure && error.cause.type === type
    ? error.cause.message
    : null;
}
