import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Context } from '@temporalio/activity';
import { DataSource } from 'typeorm';
import { CLAIM_STAGE_LABELS, type ClaimStage, type FallbackCause, type PhotoRoute } from '@app/domain/claims';
import { findProvince } from '@app/domain/provinces';
import { Member } from '@app/persistence';
import { enqueue } from '../notifications/outbox';
import { auditOnce } from '../photos/photo.activities';
import type { IssuanceReason } from '../../workflows/certificate-issuance/certificate-issuance.messages';

/**
 * Activities of certificateClaim (R6–R8). The claim's history is the member's audit trail (one event per stage and
 * claim run), which the member portal and the staff timeline read after the workflow has closed.
 */
@Injectable()
export class ClaimActivities {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async recordClaimStage(input: {
    memberId: string;
    workflowId: string;
    stage: ClaimStage;
    route: PhotoRoute;
    photoWorkflowId: string | null;
    certificateVersion: number | null;
    reason: string | null;
    fallback: FallbackCause | null;
  }): Promise<void> {
    // A claim id is reused by the member's next claim: the run id tells the claims apart.
    const workflowRunId = Context.current().info.workflowExecution?.runId ?? '';
    const claimKey = `${input.workflowId}/${workflowRunId}`;
    await this.dataSource.transaction(async (manager) => {
      const member = await manager.findOneByOrFail(Member, { id: input.memberId });
      await auditOnce(
        manager,
        member,
        `claim.${input.stage}`,
        claimKey,
        {
          stage: input.stage,
          stageLabel: CLAIM_STAGE_LABELS[input.stage],
          route: input.route,
          photoWorkflowId: input.photoWorkflowId,
          certificateVersion: input.certificateVersion,
          reason: input.reason,
          fallback: input.fallback,
        },
        'certificateClaim',
      );
      if (input.stage === 'confirm' || input.stage === 'photoRejected' || input.stage === 'refused') {
        await enqueue(manager, [
          {
            channel: 'sms',
            recipient: member.mobile,
            template: 'claim-stage.sms',
            vars: {
              name: member.name,
              stageLabel: CLAIM_STAGE_LABELS[input.stage],
              next:
                input.stage === 'confirm'
                  ? '请登录会员服务，确认或补充个人信息后即可生成电子证书。'
                  : `原因：${input.reason ?? ''}。您可以登录会员服务重新申领，或联系${findProvince(member.provinceCode)?.instituteName ?? '所属地方注协'}。`,
            },
            dedupeKey: `claim:${claimKey}:${input.stage}`,
            memberId: member.id,
          },
        ]);
      }
    });
  }

  /** n of the next `photo-<memberNo>-<n>`: one more than the member's photo verifications so far. */
  async nextPhotoAttempt(input: { memberId: string }): Promise<{ attempt: number }> {
    const [{ n }]: { n: number }[] = await this.dataSource.query(
      `SELECT count(*)::int AS n FROM audit_events
        WHERE subject_type = 'member' AND subject_id = $1 AND action = 'photo.verification.start'`,
      [input.memberId],
    );
    return { attempt: n + 1 };
  }

  /** The version the claim issues (the starter chooses it, as the API does for staff issuance). */
  async nextCertificateVersion(input: { certificateNo: string }): Promise<{ version: number; reason: IssuanceReason }> {
    const [{ next }]: { next: number }[] = await this.dataSource.query(
      `SELECT coalesce(max(version), 0)::int + 1 AS next FROM certificates WHERE certificate_no = $1`,
      [input.certificateNo],
    );
    return { version: next, reason: next === 1 ? 'firstIssue' : 'reissue' };
  }
}
