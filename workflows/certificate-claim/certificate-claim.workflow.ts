/**
 * certificateClaim (R6–R8, R17, R20): the member's way to an e-certificate, one claim at a time per member
 * (workflow id `claim-<memberNo>`).
 *
 *   child photoVerification (`photo-<memberNo>-<n>`) → wait for the member to confirm personal data
 *   → child certificateIssuance (`certificate-<no>-v<version>`)
 *
 * The member may withdraw the claim until issuance starts; the photo child is then cancelled (which takes an
 * open on-site task out of the queue).
 */
import {
  ApplicationFailure,
  CancellationScope,
  ChildWorkflowFailure,
  condition,
  executeChild,
  isCancellation,
  proxyActivities,
  setCurrentDetails,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import { CLAIM_STAGE_LABELS, type ClaimStage } from '@app/domain/claims';
import { SEARCH_ATTRIBUTES, workflowIds } from '@app/temporal/names';
import type { ClaimActivities } from '../../activities/claims/claims.activities';
import type { certificateIssuance } from '../certificate-issuance/certificate-issuance.workflow';
import type { photoVerification } from '../photo-verification/photo-verification.workflow';
import type { PhotoVerificationResult } from '../photo-verification/photo-verification.messages';
import {
  cancelClaimSignal,
  claimProgressQuery,
  dataConfirmedSignal,
  type CertificateClaimInput,
  type CertificateClaimResult,
  type ClaimProgress,
} from './certificate-claim.messages';

const claims = proxyActivities<ClaimActivities>({
  startToCloseTimeout: '1 minute',
  retry: { maximumInterval: '1 minute' },
});

export async function certificateClaim(input: CertificateClaimInput): Promise<CertificateClaimResult> {
  const workflowId = workflowInfo().workflowId;
  let confirmed = false;
  let cancelRequested = false;
  let progress: ClaimProgress = {
    certificateNo: input.certificateNo,
    stage: 'photo',
    route: input.route,
    photoWorkflowId: null,
    certificateVersion: null,
    reason: null,
    fallback: null,
  };
  setHandler(claimProgressQuery, () => progress);
  setHandler(dataConfirmedSignal, () => void (confirmed = true));
  setHandler(cancelClaimSignal, () => {
    // Once issuance has started the certificate is on its way: withdrawing is no longer possible.
    if (progress.stage === 'photo' || progress.stage === 'confirm') cancelRequested = true;
  });
  const enter = async (stage: ClaimStage, patch: Partial<ClaimProgress> = {}) => {
    progress = { ...progress, ...patch, stage };
    upsertSearchAttributes([{ key: SEARCH_ATTRIBUTES.stage, value: stage }]);
    setCurrentDetails(`${input.certificateNo} ${input.memberName}：${CLAIM_STAGE_LABELS[stage]}`);
    await claims.recordClaimStage({
      memberId: input.memberId,
      workflowId,
      stage,
      route: progress.route,
      photoWorkflowId: progress.photoWorkflowId,
      certificateVersion: progress.certificateVersion,
      reason: progress.reason,
      fallback: progress.fallback,
    });
  };
  const end = async (stage: CertificateClaimResult['stage'], reason: string | null = null) => {
    await enter(stage, { reason });
    return { stage, certificateVersion: progress.certificateVersion, reason };
  };

  await enter('photo');
  const { attempt } = await claims.nextPhotoAttempt({ memberId: input.memberId });
  const photoWorkflowId = workflowIds.photo(input.certificateNo, attempt);
  progress = { ...progress, photoWorkflowId };

  // The photo child runs in a scope the member's withdrawal cancels.
  const photoScope = new CancellationScope();
  // Watched from the root scope: a condition inside the photo scope would itself be cancelled with it.
  void condition(() => cancelRequested).then(() => photoScope.cancel());
  let photo: PhotoVerificationResult;
  try {
    photo = await photoScope.run(() =>
      executeChild<typeof photoVerification>('photoVerification', {
        workflowId: photoWorkflowId,
        args: [
          {
            memberId: input.memberId,
            certificateNo: input.certificateNo,
            provinceCode: input.provinceCode,
            memberName: input.memberName,
            attempt,
            route: input.route,
            candidatePhotoId: input.candidatePhotoId,
            comparisonAvailable: input.comparisonAvailable,
            comparisonTimeoutSeconds: input.comparisonTimeoutSeconds,
            reminderAfterSeconds: input.reminderAfterSeconds,
          },
        ],
        staticSummary: `照片核验 ${input.certificateNo} ${input.memberName}（第 ${attempt} 次）`,
      }),
    );
  } catch (error) {
    if (isCancellation(error) && cancelRequested) return end('cancelled', '会员撤销了本次申领');
    throw error;
  }
  progress = { ...progress, route: photo.route, fallback: photo.fallback };
  if (photo.outcome === 'refused') return end('refused', photo.reason);
  if (photo.outcome === 'rejected') return end('photoRejected', photo.reason);

  // R8: the member confirms or completes personal data (the API stores it, then signals).
  await enter('confirm');
  await condition(() => confirmed || cancelRequested);
  if (!confirmed) return end('cancelled', '会员撤销了本次申领');

  const { version, reason } = await claims.nextCertificateVersion({ certificateNo: input.certificateNo });
  await enter('issuing', { certificateVersion: version });
  try {
    await executeChild<typeof certificateIssuance>('certificateIssuance', {
      workflowId: workflowIds.certificate(input.certificateNo, version),
      args: [
        {
          certificateNo: input.certificateNo,
          version,
          reason,
          requestedBy: { actorType: 'member', actorId: input.memberId, actorLabel: input.certificateNo },
        },
      ],
      staticSummary: `签发电子证书 ${input.certificateNo} 第 ${version} 版（会员申领）`,
    });
  } catch (error) {
    // A refusal (e.g. a name no font can print) ends the claim with its reason; the institute takes it from there.
    if (error instanceof ChildWorkflowFailure && error.cause instanceof ApplicationFailure) {
      return end('refused', error.cause.message);
    }
    throw error;
  }
  return end('issued');
}
