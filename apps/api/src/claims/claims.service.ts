import { HttpStatus, Inject, Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Client, WorkflowExecutionAlreadyStartedError, WorkflowNotFoundError } from '@temporalio/client';
import { DataSource, In } from 'typeorm';
import { APP_CONFIG, type AppConfig } from '@app/config';
import {
  CLAIM_STAGE_LABELS,
  examPhotoObstacle,
  FALLBACK_REASONS,
  ON_SITE_CHECKLIST,
  personalDataProblems,
  PHOTO_ROUTE_LABELS,
  PHOTO_ROUTES,
  type ClaimStage,
  type PhotoRoute,
} from '@app/domain/claims';
import { findProvince } from '@app/domain/provinces';
import { appendAudit, AuditEvent, Certificate, Member, Photo, Task, type BlobStore } from '@app/persistence';
import { InjectBlobStore } from '@app/persistence/nest/blob-store.module';
import { SEARCH_ATTRIBUTES, TASK_QUEUES, workflowIds } from '@app/temporal';
import { PHOTO_COMPARISON_PROVIDER, type PhotoComparisonProvider } from '@app/photo';
import { InjectExamPhotoSource, type ExamPhotoSource } from '@app/activities/photos/exam-photo-source';
import {
  cancelClaimSignal,
  claimProgressQuery,
  dataConfirmedSignal,
  type CertificateClaimInput,
  type ClaimProgress,
} from '@app/workflows/certificate-claim/certificate-claim.messages';
import type { certificateClaim } from '@app/workflows/certificate-claim/certificate-claim.workflow';
import { photoProgressQuery, type OnSiteDecision } from '@app/workflows/photo-verification/photo-verification.messages';
import { assertProvinceAccess } from '../auth/province-scope';
import { AppException, Errors } from '../common/app-exception';
import type { UploadedFile } from '../common/multipart';
import type { MemberPrincipal, StaffPrincipal } from '../common/principal';
import { TasksService } from '../tasks/tasks.service';
import { photoUploadProblems } from './photo-upload';

const conflict = (code: string, message: string) => new AppException(code, message, HttpStatus.CONFLICT);

export interface ClaimStatusView {
  certificateNo: string;
  name: string;
  instituteName: string;
  mobile: string;
  email: string;
  address: string | null;
  routes: { route: PhotoRoute; label: string; available: boolean; note: string | null }[];
  comparisonAvailable: boolean;
  onSiteChecklist: readonly string[];
  claim: (ClaimProgress & { stageLabel: string; fallbackReason: string | null; nextStep: string }) | null;
  lastOutcome: { stage: ClaimStage; stageLabel: string; reason: string | null; at: string } | null;
  certificate: { version: number; issuedAt: string | null } | null;
}

export interface TimelineEntry {
  at: string;
  kind: 'claim' | 'photo' | 'task' | 'certificate' | 'data' | 'other';
  title: string;
  detail: string | null;
  actor: string;
}

/**
 * The member's e-certificate claim (R6–R8) and the institute's side of it (R7c, R10, R14): start with a photo route,
 * follow, confirm data, withdraw; staff record on-site checks with the verified photo and read the member's timeline.
 */
@Injectable()
export class ClaimsService {
  private readonly logger = new Logger(ClaimsService.name);

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @InjectBlobStore() private readonly blobs: BlobStore,
    @InjectExamPhotoSource() private readonly examPhotos: ExamPhotoSource,
    @Inject(PHOTO_COMPARISON_PROVIDER) private readonly photoProvider: PhotoComparisonProvider,
    private readonly temporal: Client,
    private readonly tasks: TasksService,
  ) {}

  private get settings() {
    return this.config.photo;
  }

  async status(principal: MemberPrincipal): Promise<ClaimStatusView> {
    const member = await this.member(principal);
    const examNote = await this.examPhotoRefusal(member);
    const comparisonAvailable = this.settings.comparisonAvailable;
    const progress = await this.running(member.certificateNo);
    const certificate = await this.dataSource
      .getRepository(Certificate)
      .findOne({ where: { certificateNo: member.certificateNo, status: 'active' } });
    const last = await this.dataSource.getRepository(AuditEvent).findOne({
      where: {
        subjectType: 'member',
        subjectId: member.id,
        action: In(['claim.issued', 'claim.photoRejected', 'claim.refused', 'claim.cancelled']),
      },
      order: { id: 'DESC' },
    });
    return {
      certificateNo: member.certificateNo,
      name: member.name,
      instituteName: findProvince(member.provinceCode)?.instituteName ?? member.provinceCode,
      mobile: member.mobile,
      email: member.email,
      address: member.address,
      routes: PHOTO_ROUTES.map((route) => ({
        route,
        label: PHOTO_ROUTE_LABELS[route],
        available: route !== 'examPhoto' || examNote === null,
        note:
          route === 'examPhoto'
            ? examNote
            : route === 'comparison' && !comparisonAvailable
              ? '照片比对功能尚未开通：上传的照片将由所属地方注协审核，必要时请到现场核验。'
              : route === 'onSite'
                ? '急需证书的会员可直接选择现场核验。'
                : null,
      })),
      comparisonAvailable,
      onSiteChecklist: ON_SITE_CHECKLIST,
      claim: progress && {
        ...progress,
        stageLabel: CLAIM_STAGE_LABELS[progress.stage],
        fallbackReason: progress.fallback ? FALLBACK_REASONS[progress.fallback] : null,
        nextStep: nextStep(progress, findProvince(member.provinceCode)?.instituteName ?? '所属地方注协'),
      },
      lastOutcome: last && {
        stage: (last.detail as { stage: ClaimStage }).stage,
        stageLabel: CLAIM_STAGE_LABELS[(last.detail as { stage: ClaimStage }).stage],
        reason: (last.detail as { reason?: string | null }).reason ?? null,
        at: last.occurredAt.toISOString(),
      },
      certificate: certificate && {
        version: certificate.version,
        issuedAt: certificate.issuedAt?.toISOString() ?? null,
      },
    };
  }

  /** The exam system's photo, for the member to look at before accepting it (R7a). */
  async examPhoto(principal: MemberPrincipal): Promise<Buffer> {
    const member = await this.member(principal);
    const refusal = await this.examPhotoRefusal(member);
    if (refusal) throw new AppException('EXAM_PHOTO_NOT_AVAILABLE', refusal, HttpStatus.UNPROCESSABLE_ENTITY);
    return this.blobs.get((await this.examPhotos.find(member.id))!.blobKey);
  }

  /**
   * Starts `claim-<memberNo>`. Everything is checked before anything is stored; the uploaded photo row, the audit
   * event and the workflow start share one transaction (a refused start stores nothing but a harmless blob).
   */
  async start(principal: MemberPrincipal, fields: Record<string, string>, files: UploadedFile[]) {
    const member = await this.member(principal);
    const route = fields.route as PhotoRoute;
    if (!PHOTO_ROUTES.includes(route)) {
      throw Errors.validation([{ field: 'route', messages: ['请选择照片方式：examPhoto、comparison 或 onSite'] }]);
    }
    if (route === 'examPhoto') {
      const refusal = await this.examPhotoRefusal(member);
      if (refusal) throw new AppException('EXAM_PHOTO_NOT_AVAILABLE', refusal, HttpStatus.UNPROCESSABLE_ENTITY);
    }
    const upload = files.find((f) => f.field === 'photo');
    let checked: { width: number; height: number } | null = null;
    if (route === 'comparison') {
      const { problems, width, height } = await photoUploadProblems(upload, this.photoProvider, this.settings.maxBytes);
      if (problems.length) throw Errors.validation(problems);
      checked = { width, height };
    }
    if (await this.running(member.certificateNo)) throw this.alreadyRunning();
    if (
      await this.dataSource
        .getRepository(Certificate)
        .exists({ where: { certificateNo: member.certificateNo, status: 'active' } })
    ) {
      throw conflict(
        'ALREADY_ISSUED',
        '您已领取电子证书，可在“会员服务”中直接下载；如需更换照片或信息，请联系所属地方注协。',
      );
    }
    const blobKey = checked ? await this.blobs.put(upload!.data, 'image/jpeg') : null;
    const workflowId = workflowIds.claim(member.certificateNo);
    await this.dataSource.transaction(async (manager) => {
      const photo =
        checked && blobKey
          ? await manager.save(Photo, {
              memberId: member.id,
              source: 'comparison',
              blobKey,
              contentType: 'image/jpeg',
              width: checked.width,
              height: checked.height,
              status: 'pending',
            } as Photo)
          : null;
      await appendAudit(manager, {
        actorType: 'member',
        actorId: member.certificateNo,
        actorLabel: member.certificateNo,
        action: 'claim.start',
        subjectType: 'member',
        subjectId: member.id,
        provinceCode: member.provinceCode,
        detail: { route, workflowId, photoId: photo?.id ?? null },
      });
      const input: CertificateClaimInput = {
        memberId: member.id,
        certificateNo: member.certificateNo,
        provinceCode: member.provinceCode,
        memberName: member.name,
        route,
        candidatePhotoId: photo?.id ?? null,
        comparisonAvailable: this.settings.comparisonAvailable,
        comparisonTimeoutSeconds: this.settings.timeoutSeconds,
        reminderAfterSeconds: this.config.tasks.reminderAfterSeconds,
      };
      try {
        await this.temporal.workflow.start<typeof certificateClaim>('certificateClaim', {
          taskQueue: TASK_QUEUES.registry,
          workflowId,
          args: [input],
          typedSearchAttributes: [
            { key: SEARCH_ATTRIBUTES.province, value: member.provinceCode },
            { key: SEARCH_ATTRIBUTES.memberNo, value: member.certificateNo },
            { key: SEARCH_ATTRIBUTES.stage, value: 'photo' },
          ],
          staticSummary: `电子证书申领 ${member.certificateNo} ${member.name}（${PHOTO_ROUTE_LABELS[route]}）`,
        });
      } catch (error) {
        if (error instanceof WorkflowExecutionAlreadyStartedError) throw this.alreadyRunning();
        throw error;
      }
    });
    return { workflowId, route };
  }

  /** R8: stores the confirmed or completed personal data, then lets the claim go on to issuance. */
  async confirm(principal: MemberPrincipal, body: { mobile?: unknown; email?: unknown; address?: unknown }) {
    const member = await this.member(principal);
    const progress = await this.running(member.certificateNo);
    if (progress?.stage !== 'confirm') {
      throw conflict('NOT_AWAITING_CONFIRMATION', '当前没有等待确认个人信息的申领：照片核验通过后才能确认信息。');
    }
    const problems = personalDataProblems(body);
    if (problems.length) throw Errors.validation(problems);
    const next = {
      mobile: String(body.mobile).trim(),
      email: String(body.email).trim(),
      address: String(body.address).trim(),
    };
    const changed = (Object.keys(next) as (keyof typeof next)[]).filter((k) => next[k] !== member[k]);
    await this.dataSource.transaction(async (manager) => {
      await manager.update(Member, member.id, next);
      await appendAudit(manager, {
        actorType: 'member',
        actorId: member.certificateNo,
        actorLabel: member.certificateNo,
        action: 'member.data.confirm',
        subjectType: 'member',
        subjectId: member.id,
        provinceCode: member.provinceCode,
        // Which fields changed, not their values: the audit log is not a second copy of personal data.
        detail: { changed, workflowId: workflowIds.claim(member.certificateNo) },
      });
    });
    await this.temporal.workflow.getHandle(workflowIds.claim(member.certificateNo)).signal(dataConfirmedSignal);
    return { changed };
  }

  async cancel(principal: MemberPrincipal) {
    const member = await this.member(principal);
    const progress = await this.running(member.certificateNo);
    if (!progress) throw conflict('NO_CLAIM', '您当前没有正在办理的电子证书申领。');
    if (progress.stage !== 'photo' && progress.stage !== 'confirm') {
      throw conflict('CLAIM_ISSUING', '电子证书已在生成中，不能撤销；生成后即可下载。');
    }
    await this.dataSource.transaction((manager) =>
      appendAudit(manager, {
        actorType: 'member',
        actorId: member.certificateNo,
        actorLabel: member.certificateNo,
        action: 'claim.cancel.request',
        subjectType: 'member',
        subjectId: member.id,
        provinceCode: member.provinceCode,
        detail: { workflowId: workflowIds.claim(member.certificateNo), stage: progress.stage },
      }),
    );
    await this.temporal.workflow.getHandle(workflowIds.claim(member.certificateNo)).signal(cancelClaimSignal);
    return { cancelled: true };
  }

  /** What the staff page of an on-site task shows: the member, why they are here, the photo they uploaded. */
  async onSiteDetail(staff: StaffPrincipal, taskId: string) {
    const task = await this.tasks.get(staff, taskId);
    if (task.type !== 'onSiteCheck') throw Errors.notFound('该现场核验任务');
    const member = await this.dataSource.getRepository(Member).findOneByOrFail({ id: task.subjectId });
    assertProvinceAccess(staff, member.provinceCode);
    const candidate = await this.candidate(member.id);
    const fallback = await this.dataSource.getRepository(AuditEvent).findOne({
      where: { subjectType: 'member', subjectId: member.id, action: 'photo.fallback' },
      order: { id: 'DESC' },
    });
    const fallbackFor = (fallback?.detail as { workflowId?: string } | undefined)?.workflowId;
    return {
      task,
      member: {
        certificateNo: member.certificateNo,
        name: member.name,
        idNumber: member.idNumber,
        gender: member.gender,
        admissionRoute: member.admissionRoute,
        examPassYear: member.examPassYear,
        examPassCertNo: member.examPassCertNo,
        mobile: member.mobile,
      },
      reason:
        fallbackFor === (await this.dataSource.getRepository(Task).findOneByOrFail({ id: task.id })).workflowId
          ? (fallback!.detail as { reason: string }).reason
          : null,
      candidatePhotoId: candidate?.id ?? null,
      checklist: ON_SITE_CHECKLIST,
    };
  }

  async candidatePhoto(staff: StaffPrincipal, taskId: string): Promise<Buffer> {
    const { candidatePhotoId } = await this.onSiteDetail(staff, taskId);
    if (!candidatePhotoId) throw Errors.notFound('会员上传的照片');
    const photo = await this.dataSource.getRepository(Photo).findOneByOrFail({ id: candidatePhotoId });
    return this.blobs.get(photo.blobKey);
  }

  /**
   * R7c, R10: staff record the on-site check. Approving needs the verified photo (uploaded now, or the member's
   * upload they checked against the originals); rejecting needs a reason. The photo is checked before anything is
   * stored; the photo row is written in the decision's transaction (TasksService.recordDecision).
   */
  async decideOnSite(staff: StaffPrincipal, taskId: string, fields: Record<string, string>, files: UploadedFile[]) {
    const outcome = fields.outcome;
    if (outcome !== 'approve' && outcome !== 'reject') {
      throw Errors.validation([
        { field: 'outcome', messages: ['核验结论应为 approve（核验通过）或 reject（核验不通过）'] },
      ]);
    }
    const reason = (fields.reason ?? '').trim();
    if (outcome === 'reject' && (reason.length < 2 || reason.length > 500)) {
      throw Errors.validation([
        { field: 'reason', messages: ['核验不通过时须填写原因（2–500 字），会员将看到该原因'] },
      ]);
    }
    const detail = await this.onSiteDetail(staff, taskId);
    const upload = files.find((f) => f.field === 'photo');
    const useUploaded = fields.useMemberPhoto === 'true' || fields.useMemberPhoto === 'on';
    let checked: { width: number; height: number; blobKey: string } | null = null;
    if (outcome === 'approve') {
      if (upload || !useUploaded) {
        const { problems, width, height } = await photoUploadProblems(
          upload,
          this.photoProvider,
          this.settings.maxBytes,
        );
        if (problems.length) throw Errors.validation(problems);
        checked = { width, height, blobKey: await this.blobs.put(upload!.data, 'image/jpeg') };
      } else if (!detail.candidatePhotoId) {
        throw Errors.validation([{ field: 'photo', messages: ['会员未上传照片，请上传现场核验后的证件照（JPG）'] }]);
      }
    }
    return this.tasks.recordDecision<OnSiteDecision>(staff, taskId, async (manager, task) => {
      if (task.type !== 'onSiteCheck') throw Errors.notFound('该现场核验任务');
      let photoId: string | null = null;
      if (outcome === 'approve') {
        if (checked) {
          await manager.update(Photo, { memberId: task.subjectId, status: 'pending' }, { status: 'rejected' });
          const photo = await manager.save(Photo, {
            memberId: task.subjectId,
            source: 'onSite',
            blobKey: checked.blobKey,
            contentType: 'image/jpeg',
            width: checked.width,
            height: checked.height,
            status: 'pending',
            verifiedBy: staff.id,
          } as Photo);
          photoId = photo.id;
        } else {
          photoId = detail.candidatePhotoId;
        }
      }
      const decision: OnSiteDecision = {
        outcome,
        reason: outcome === 'reject' ? reason : null,
        photoId,
        decidedBy: staff.id,
        decidedByLabel: staff.displayName,
      };
      return {
        outcome,
        decision,
        stored: { outcome, reason: decision.reason, photoId, uploadedOnSite: checked !== null },
        detail: {
          reason: decision.reason,
          photoId,
          uploadedOnSite: checked !== null,
          member: detail.member.certificateNo,
        },
      };
    });
  }

  /** R14: every claim, photo route, outcome, on-site task, data confirmation and certificate of a member, oldest first. */
  async timeline(
    staff: StaffPrincipal,
    certificateNo: string,
  ): Promise<{ member: { certificateNo: string; name: string }; entries: TimelineEntry[] }> {
    const member = await this.dataSource.getRepository(Member).findOneBy({ certificateNo });
    if (!member) throw Errors.notFound('该证书编号对应的会员');
    assertProvinceAccess(staff, member.provinceCode);
    const [events, tasks, certificates] = await Promise.all([
      this.dataSource.getRepository(AuditEvent).find({
        where: { subjectType: 'member', subjectId: member.id },
        order: { id: 'ASC' },
      }),
      this.dataSource.getRepository(Task).find({
        where: { subjectType: 'member', subjectId: member.id },
        relations: { decider: true },
      }),
      this.dataSource.getRepository(Certificate).find({ where: { certificateNo } }),
    ]);
    const entries: TimelineEntry[] = [];
    for (const e of events) {
      const d = e.detail ?? {};
      const described = describeEvent(e.action, d);
      if (described) entries.push({ at: e.occurredAt.toISOString(), actor: e.actorLabel, ...described });
    }
    for (const t of tasks) {
      entries.push({
        at: t.createdAt.toISOString(),
        kind: 'task',
        title: '现场核验任务进入队列',
        detail: t.subjectLabel,
        actor: '系统',
      });
      const decision = t.decision as { outcome?: string; reason?: string | null } | null;
      if (t.decidedAt && decision) {
        entries.push({
          at: t.decidedAt.toISOString(),
          kind: 'task',
          title: decision.outcome === 'approve' ? '现场核验通过，已上传核验照片' : '现场核验不通过',
          detail: decision.reason ?? null,
          actor: t.decider?.displayName ?? '工作人员',
        });
      } else if (t.status === 'cancelled') {
        entries.push({
          at: t.createdAt.toISOString(),
          kind: 'task',
          title: '现场核验任务已取消（会员撤销申领）',
          detail: null,
          actor: '系统',
        });
      }
    }
    for (const c of certificates) {
      if (c.issuedAt) {
        entries.push({
          at: c.issuedAt.toISOString(),
          kind: 'certificate',
          title: `电子证书第 ${c.version} 版已签发`,
          detail: `当前状态：${{ pending: '签发中', active: '有效', superseded: '已被新版本取代', revoked: '已吊销' }[c.status]}`,
          actor: '系统',
        });
      }
    }
    entries.sort((a, b) => a.at.localeCompare(b.at));
    return { member: { certificateNo, name: member.name }, entries };
  }

  private async member(principal: MemberPrincipal): Promise<Member> {
    return this.dataSource.getRepository(Member).findOneByOrFail({ id: principal.id });
  }

  private async examPhotoRefusal(member: Member): Promise<string | null> {
    const obstacle = examPhotoObstacle(member);
    if (obstacle) return obstacle;
    return (await this.examPhotos.find(member.id))
      ? null
      : '考试系统中没有找到您的照片，请选择“上传照片远程比对”或“到地方注协现场核验”。';
  }

  private async candidate(memberId: string): Promise<Photo | null> {
    return this.dataSource.getRepository(Photo).findOne({
      where: { memberId, status: 'pending', source: 'comparison' },
      order: { createdAt: 'DESC' },
    });
  }

  /** The running claim's progress, or null when the member has none running. */
  private async running(certificateNo: string): Promise<ClaimProgress | null> {
    const handle = this.temporal.workflow.getHandle(workflowIds.claim(certificateNo));
    try {
      const description = await handle.describe();
      if (description.status.name !== 'RUNNING') return null;
      const progress = await handle.query(claimProgressQuery);
      if (progress.stage !== 'photo' || !progress.photoWorkflowId) return progress;
      // While the photo is being verified, the child knows the route in use and why it fell back to on site.
      const photo = await this.temporal.workflow
        .getHandle(progress.photoWorkflowId)
        .query(photoProgressQuery)
        .catch(() => null);
      return photo ? { ...progress, route: photo.route, fallback: photo.fallback } : progress;
    } catch (error) {
      if (error instanceof WorkflowNotFoundError) return null;
      this.logger.warn(`claim progress of ${certificateNo} unavailable: ${String(error)}`);
      throw new AppException(
        'CLAIM_STATUS_UNAVAILABLE',
        '暂时无法读取申领进度，请稍后刷新。',
        HttpStatus.SERVICE_UNAVAILABLE,
      );
    }
  }

  private alreadyRunning() {
    return conflict(
      'CLAIM_RUNNING',
      '您已有一项正在办理的电子证书申领，不能同时再申领；请在“下载会员证书”页面查看进度，或撤销后重新选择照片方式。',
    );
  }
}

function nextStep(progress: ClaimProgress, instituteName: string): string {
  switch (progress.stage) {
    case 'photo':
      return progress.route === 'onSite' || progress.fallback
        ? `请携带材料到${instituteName}办理现场核验；工作人员核验并上传照片后，您将收到短信通知。`
        : '系统正在核验您的照片，通常几分钟内完成，请稍后刷新本页。';
    case 'confirm':
      return '照片已核验通过。请核对并确认下方的个人信息，确认后系统将生成电子证书。';
    case 'issuing':
      return '电子证书正在生成并加盖电子签章，完成后即可下载。';
    default:
      return '';
  }
}

function describeEvent(action: string, d: Record<string, unknown>): Omit<TimelineEntry, 'at' | 'actor'> | null {
  const route = d.route ? PHOTO_ROUTE_LABELS[d.route as PhotoRoute] : null;
  switch (action) {
    case 'claim.start':
      return { kind: 'claim', title: '会员发起电子证书申领', detail: route };
    case 'claim.confirm':
      return { kind: 'claim', title: '照片核验通过，等待会员确认信息', detail: route };
    case 'claim.issuing':
      return {
        kind: 'claim',
        title: '会员已确认信息，开始生成电子证书',
        detail: `第 ${String(d.certificateVersion)} 版`,
      };
    case 'claim.issued':
    case 'claim.photoRejected':
    case 'claim.refused':
    case 'claim.cancelled':
      return { kind: 'claim', title: `申领结束：${String(d.stageLabel)}`, detail: (d.reason as string | null) ?? null };
    case 'claim.cancel.request':
      return { kind: 'claim', title: '会员申请撤销申领', detail: null };
    case 'photo.verification.start':
      return { kind: 'photo', title: `照片核验（第 ${String(d.attempt)} 次）开始`, detail: route };
    case 'photo.fallback':
      return { kind: 'photo', title: '照片比对未通过，转现场核验', detail: String(d.reason) };
    case 'photo.accept':
      return { kind: 'photo', title: '证书照片已核验', detail: route };
    case 'photo.verification.finish':
      return {
        kind: 'photo',
        title: `照片核验结束：${{ accepted: '通过', rejected: '未通过', refused: '不适用' }[d.outcome as string] ?? String(d.outcome)}`,
        detail: (d.reason as string | null) ?? null,
      };
    case 'member.data.confirm':
      return {
        kind: 'data',
        title: '会员确认个人信息',
        detail:
          Array.isArray(d.changed) && d.changed.length
            ? `修改了：${(d.changed as string[]).map((f) => ({ mobile: '手机', email: '邮箱', address: '地址' })[f] ?? f).join('、')}`
            : '未修改',
      };
    default:
      return null;
  }
}
