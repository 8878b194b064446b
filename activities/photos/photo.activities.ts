import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { ApplicationFailure, Context } from '@temporalio/activity';
import sharp from 'sharp';
import { DataSource, Not, type EntityManager } from 'typeorm';
import {
  examPhotoObstacle,
  FALLBACK_REASONS,
  ON_SITE_CHECKLIST,
  type FallbackCause,
  type PhotoRoute,
} from '@app/domain/claims';
import { findProvince } from '@app/domain/provinces';
import { appendAudit, Member, Photo, Task, type BlobStore } from '@app/persistence';
import { InjectBlobStore } from '@app/persistence/nest/blob-store.module';
import { enqueue } from '../notifications/outbox';
import {
  PHOTO_FAILURES,
  type ComparisonOutcome,
  type OnSiteDecision,
  type PhotoVerificationResult,
} from '../../workflows/photo-verification/photo-verification.messages';
import { PHOTO_COMPARISON_PROVIDER, PhotoComparisonUnavailableError, type PhotoComparisonProvider } from '@app/photo';
import { InjectExamPhotoSource, type ExamPhotoSource } from './exam-photo-source';

const ACTOR = 'photoVerification';

/**
 * Activities of photoVerification (R7, R10). Each is safe to run again: audit events and notices are keyed by the
 * workflow id, photo rows are found before they are made, the on-site task is one per wait (unique index).
 */
@Injectable()
export class PhotoActivities {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @InjectBlobStore() private readonly blobs: BlobStore,
    @InjectExamPhotoSource() private readonly examPhotos: ExamPhotoSource,
    @Inject(PHOTO_COMPARISON_PROVIDER) private readonly comparison: PhotoComparisonProvider,
  ) {}

  async beginPhotoVerification(input: { memberId: string; workflowId: string; attempt: number; route: PhotoRoute }) {
    await this.dataSource.transaction(async (manager) => {
      const member = await manager.findOneByOrFail(Member, { id: input.memberId });
      await auditOnce(manager, member, 'photo.verification.start', input.workflowId, {
        attempt: input.attempt,
        route: input.route,
      });
    });
  }

  /** R7a: the exam system's photo becomes the certificate photo; refused with the reason for anyone else. */
  async adoptExamPhoto(input: { memberId: string; workflowId: string }): Promise<{ photoId: string }> {
    const member = await this.dataSource.getRepository(Member).findOneByOrFail({ id: input.memberId });
    const obstacle = examPhotoObstacle(member);
    const exam = obstacle ? null : await this.examPhotos.find(member.id);
    if (obstacle || !exam) {
      throw ApplicationFailure.nonRetryable(
        obstacle ?? '考试系统中没有找到您的照片，请选择“上传照片远程比对”或“到地方注协现场核验”。',
        PHOTO_FAILURES.notEligible,
      );
    }
    const meta = await sharp(await this.blobs.get(exam.blobKey)).metadata();
    return this.dataSource.transaction(async (manager) => {
      let photo = await manager.findOneBy(Photo, { memberId: member.id, source: 'examPhoto', blobKey: exam.blobKey });
      photo ??= await manager.save(Photo, {
        memberId: member.id,
        source: 'examPhoto',
        blobKey: exam.blobKey,
        contentType: 'image/jpeg',
        width: meta.width ?? 1,
        height: meta.height ?? 1,
        status: 'accepted',
        verifiedAt: new Date(),
      } as Photo);
      if (photo.status !== 'accepted')
        await manager.update(Photo, photo.id, { status: 'accepted', verifiedAt: new Date() });
      await auditOnce(manager, member, 'photo.accept', input.workflowId, { route: 'examPhoto', photoId: photo.id });
      return { photoId: photo.id };
    });
  }

  /**
   * R7b: the upload against the photo on file (the latest accepted photo, else the exam photo). Cancellation of the
   * activity (timeout) aborts the provider's request.
   */
  async comparePhoto(input: { memberId: string; photoId: string }): Promise<ComparisonOutcome> {
    const candidate = await this.dataSource.getRepository(Photo).findOneByOrFail({ id: input.photoId });
    const onFile = await this.dataSource.getRepository(Photo).findOne({
      where: { memberId: input.memberId, status: 'accepted', id: Not(input.photoId) },
      order: { verifiedAt: { direction: 'DESC', nulls: 'LAST' }, createdAt: 'DESC' },
    });
    const referenceKey = onFile?.blobKey ?? (await this.examPhotos.find(input.memberId))?.blobKey;
    if (!referenceKey) {
      throw ApplicationFailure.nonRetryable(FALLBACK_REASONS.noReference, PHOTO_FAILURES.noReference);
    }
    const [reference, upload] = await Promise.all([this.blobs.get(referenceKey), this.blobs.get(candidate.blobKey)]);
    const context = Context.current();
    context.heartbeat('comparing');
    const beat = setInterval(() => context.heartbeat('comparing'), 1000);
    try {
      const result = await this.comparison.compare(reference, upload, { signal: context.cancellationSignal });
      return { outcome: result.outcome, score: result.score, threshold: result.threshold, provider: result.provider };
    } catch (error) {
      if (error instanceof PhotoComparisonUnavailableError) {
        // The provider's own timeout is the same setting as this activity's start-to-close timeout, and whichever
        // fires first must tell the member the same thing ("too slow", not "unavailable").
        const type = causedByTimeout(error) ? PHOTO_FAILURES.comparisonTimeout : PHOTO_FAILURES.comparisonUnavailable;
        throw ApplicationFailure.nonRetryable(error.message, type);
      }
      throw error;
    } finally {
      clearInterval(beat);
    }
  }

  async acceptPhoto(input: { memberId: string; photoId: string; workflowId: string }): Promise<void> {
    await this.dataSource.transaction(async (manager) => {
      const member = await manager.findOneByOrFail(Member, { id: input.memberId });
      await manager.update(
        Photo,
        { id: input.photoId, status: 'pending' },
        { status: 'accepted', verifiedAt: new Date() },
      );
      await auditOnce(manager, member, 'photo.accept', input.workflowId, {
        route: 'comparison',
        photoId: input.photoId,
      });
    });
  }

  /** The comparison did not accept the upload: the member is told why and that on-site verification follows. */
  async recordFallback(input: { memberId: string; workflowId: string; cause: FallbackCause }): Promise<void> {
    await this.dataSource.transaction(async (manager) => {
      const member = await manager.findOneByOrFail(Member, { id: input.memberId });
      await auditOnce(manager, member, 'photo.fallback', input.workflowId, {
        cause: input.cause,
        reason: FALLBACK_REASONS[input.cause],
      });
    });
  }

  /** R7c: a task in the institute's queue, and a notice telling the member what to bring. */
  async openOnSiteTask(input: {
    memberId: string;
    workflowId: string;
    attempt: number;
    candidatePhotoId: string | null;
    fallback: FallbackCause | null;
    dueInSeconds: number;
  }): Promise<{ taskId: string }> {
    const waitKey = `onSite-${input.attempt}`;
    return this.dataSource.transaction(async (manager) => {
      const member = await manager.findOneByOrFail(Member, { id: input.memberId });
      const existing = await manager.findOne(Task, {
        where: { workflowId: input.workflowId, waitKey },
        order: { createdAt: 'DESC' },
      });
      if (existing) return { taskId: existing.id };
      const province = findProvince(member.provinceCode);
      const task = await manager.save(Task, {
        type: 'onSiteCheck',
        provinceCode: member.provinceCode,
        subjectType: 'member',
        subjectId: member.id,
        subjectLabel: `${member.certificateNo} ${member.name}${input.candidatePhotoId ? '（已上传照片）' : ''}`,
        workflowId: input.workflowId,
        waitKey,
        status: 'open',
        dueAt: new Date(Date.now() + input.dueInSeconds * 1000),
        decision: null,
      } as Task);
      const vars = {
        name: member.name,
        certificateNo: member.certificateNo,
        instituteName: province?.instituteName ?? member.provinceCode,
        reason: input.fallback ? FALLBACK_REASONS[input.fallback] : '',
        checklist: ON_SITE_CHECKLIST.map((item, i) => `${i + 1}. ${item}`).join('\n'),
      };
      await enqueue(manager, [
        {
          channel: 'sms',
          recipient: member.mobile,
          template: 'photo-on-site.sms',
          vars,
          dedupeKey: `photo:${input.workflowId}:on-site:sms`,
          memberId: member.id,
        },
        {
          channel: 'mail',
          recipient: member.email,
          template: 'photo-on-site.mail',
          vars,
          dedupeKey: `photo:${input.workflowId}:on-site:mail`,
          memberId: member.id,
        },
      ]);
      await auditOnce(manager, member, 'photo.onSite.open', input.workflowId, { taskId: task.id });
      return { taskId: task.id };
    });
  }

  /** The member withdrew the claim: the on-site task leaves the queue. */
  async cancelOnSiteTask(input: { taskId: string; workflowId: string }): Promise<void> {
    await this.dataSource.query(
      `UPDATE tasks SET status = 'cancelled' WHERE id = $1 AND status IN ('open', 'claimed')`,
      [input.taskId],
    );
  }

  /** Staff's on-site decision, as recorded by the API: the verified photo is accepted, or the member told why not. */
  async recordOnSiteOutcome(input: {
    memberId: string;
    workflowId: string;
    taskId: string;
    decision: OnSiteDecision;
  }): Promise<void> {
    const { decision } = input;
    await this.dataSource.transaction(async (manager) => {
      const member = await manager.findOneByOrFail(Member, { id: input.memberId });
      if (decision.outcome === 'approve' && decision.photoId) {
        await manager.update(
          Photo,
          { id: decision.photoId, status: 'pending' },
          { status: 'accepted', verifiedAt: new Date(), verifiedBy: decision.decidedBy },
        );
      } else {
        await manager.update(Photo, { memberId: member.id, status: 'pending' }, { status: 'rejected' });
        await enqueue(manager, [
          {
            channel: 'sms',
            recipient: member.mobile,
            template: 'photo-rejected.sms',
            vars: {
              name: member.name,
              instituteName: findProvince(member.provinceCode)?.instituteName ?? '',
              reason: decision.reason ?? '',
            },
            dedupeKey: `photo:${input.workflowId}:rejected`,
            memberId: member.id,
          },
        ]);
      }
    });
  }

  async finishPhotoVerification(input: { memberId: string; workflowId: string; result: PhotoVerificationResult }) {
    await this.dataSource.transaction(async (manager) => {
      const member = await manager.findOneByOrFail(Member, { id: input.memberId });
      await auditOnce(manager, member, 'photo.verification.finish', input.workflowId, { ...input.result });
    });
  }
}

/** True when the provider gave up because its time ran out (AbortSignal.timeout's TimeoutError, however wrapped). */
function causedByTimeout(error: unknown): boolean {
  for (let e: unknown = error, depth = 0; e instanceof Error && depth < 5; e = e.cause, depth++) {
    if (e.name === 'TimeoutError') return true;
  }
  return false;
}

/** Appends an audit event about the member once per (action, workflow id): an activity retry adds nothing. */
export async function auditOnce(
  manager: EntityManager,
  member: Member,
  action: string,
  workflowId: string,
  detail: Record<string, unknown>,
  actorLabel = ACTOR,
): Promise<void> {
  const [{ seen }]: { seen: boolean }[] = await manager.query(
    `SELECT EXISTS (SELECT 1 FROM audit_events WHERE subject_type = 'member' AND subject_id = $1 AND action = $2
       AND detail->>'workflowId' = $3) AS seen`,
    [member.id, action, workflowId],
  );
  if (seen) return;
  await appendAudit(manager, {
    actorType: 'system',
    actorLabel,
    action,
    subjectType: 'member',
    subjectId: member.id,
    provinceCode: member.provinceCode,
    detail: { ...detail, workflowId, certificateNo: member.certificateNo },
  });
}
