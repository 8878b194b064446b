import { HttpStatus, Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Client } from '@temporalio/client';
import { DataSource, In, Not, type EntityManager } from 'typeorm';
import { APP_CONFIG, type AppConfig } from '@app/config';
import { ageInYears } from '@app/domain/beijing-date';
import { birthDateOfIdNumber, genderOfIdNumber, isValidIdNumber } from '@app/domain/id-number';
import { findProvince } from '@app/domain/provinces';
import { canActInProvince } from '@app/domain/roles';
import { REVIEW_LEVEL_LABELS, REVIEW_OUTCOME_LABELS, type ReviewLevel, type ReviewOutcome } from '@app/domain/review';
import {
  Application,
  ApplicationAttachment,
  AuditEvent,
  appendAudit,
  Member,
  nextApplicationNo,
  openInitialPassword,
  Task,
  type BlobStore,
} from '@app/persistence';
import { InjectBlobStore } from '@app/persistence/nest/blob-store.module';
import { SEARCH_ATTRIBUTES, TASK_QUEUES, workflowIds } from '@app/temporal';
import type { applicationReview } from '@app/workflows/application-review/application-review.workflow';
import {
  resubmittedSignal,
  type ApplicationReviewInput,
} from '@app/workflows/application-review/application-review.messages';
import { AppException, Errors, type FieldError } from '../common/app-exception';
import { sniffAttachment, validateFields, type UploadedFile } from '../common/multipart';
import type { StaffPrincipal } from '../common/principal';
import {
  ATTACHMENT_KINDS,
  ResubmitApplicationDto,
  SubmitApplicationDto,
  type ApplicantDetailsDto,
  type ApplicantLookupDto,
  type AttachmentKind,
} from './dto/application.dto';

export const APPLICATION_STATUS_LABELS: Record<string, string> = {
  firstReview: '地方注协初核中',
  secondReview: '中注协复核中',
  returned: '已退回修改，请修改后重新提交',
  approved: '审核通过，已入会',
  rejected: '未予通过',
};

export interface ProgressStepView {
  at: string;
  title: string;
  outcome: string | null;
  reason: string | null;
}

export interface ProgressView {
  applicationNo: string;
  name: string;
  instituteName: string;
  status: string;
  statusLabel: string;
  reason: string | null;
  steps: ProgressStepView[];
  certificateNo: string | null;
  /** Shown until the member's first log-in, then gone for good. */
  initialPassword: string | null;
  canResubmit: boolean;
}

interface CheckedAttachment {
  kind: AttachmentKind;
  file: UploadedFile;
  contentType: 'image/jpeg' | 'application/pdf';
}

const conflict = (code: string, message: string) => new AppException(code, message, HttpStatus.CONFLICT);

/** Membership applications (R3–R5): submission, progress, correction, staff reading. */
@Injectable()
export class ApplicationsService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @InjectBlobStore() private readonly blobs: BlobStore,
    private readonly temporal: Client,
  ) {}

  /**
   * Validates everything first (all problems at once), then stores the application and
   * starts its review workflow in one transaction: if the workflow cannot start, nothing
   * is stored.
   */
  async submit(fields: Record<string, string>, files: UploadedFile[]): Promise<{ applicationNo: string }> {
    const { value: dto, problems } = await validateFields(SubmitApplicationDto, fields);
    if (!problems.some((p) => p.field === 'idNumber') && !isValidIdNumber(dto.idNumber)) {
      problems.push({ field: 'idNumber', messages: ['身份证号校验位或出生日期不正确，请核对'] });
    } else if (!problems.some((p) => p.field === 'idNumber') && ageInYears(birthDateOfIdNumber(dto.idNumber)) < 18) {
      problems.push({ field: 'idNumber', messages: ['申请人须年满 18 周岁'] });
    }
    if (!problems.some((p) => p.field === 'provinceCode') && !findProvince(dto.provinceCode)) {
      problems.push({ field: 'provinceCode', messages: ['所选地方注协不存在，请从列表中选择'] });
    }
    const attachments = await this.checkAttachments(files, dto.admissionRoute, true, problems);
    if (problems.length) throw Errors.validation(problems);

    const existing = await this.dataSource.getRepository(Application).findOne({
      where: { idNumber: dto.idNumber, status: Not(In(['approved', 'rejected'])) },
    });
    if (existing)
      throw conflict('APPLICATION_PENDING', `该身份证号已有审核中的申请（${existing.applicationNo}），请勿重复提交。`);
    if (await this.dataSource.getRepository(Member).exists({ where: { idNumber: dto.idNumber } })) {
      throw conflict('ALREADY_MEMBER', '该身份证号已是非执业会员，无需重复申请；如忘记证书编号请联系所属地方注协。');
    }

    const stored = await this.storeAttachments(attachments);
    return this.dataSource.transaction(async (manager) => {
      const applicationNo = await nextApplicationNo(manager);
      const workflowId = workflowIds.application(applicationNo);
      const application = await manager.save(Application, {
        applicationNo,
        ...this.details(dto),
        idNumber: dto.idNumber,
        gender: genderOfIdNumber(dto.idNumber),
        dateOfBirth: birthDateOfIdNumber(dto.idNumber),
        provinceCode: dto.provinceCode,
        status: 'firstReview',
        stageDetail: '已提交，等待初核',
        workflowId,
      } as Application);
      await this.saveAttachments(manager, application.id, stored);
      await appendAudit(manager, {
        actorType: 'applicant',
        actorLabel: dto.idNumber.slice(0, 6) + '********' + dto.idNumber.slice(14),
        action: 'application.submit',
        subjectType: 'application',
        subjectId: application.id,
        provinceCode: application.provinceCode,
        detail: { applicationNo, attachments: stored.length },
      });
      const input: ApplicationReviewInput = {
        applicationId: application.id,
        applicationNo,
        provinceCode: application.provinceCode,
        applicantName: application.name,
        reminderAfterSeconds: this.config.tasks.reminderAfterSeconds,
      };
      // Started inside the transaction: a failed start rolls the application back.
      await this.temporal.workflow.start<typeof applicationReview>('applicationReview', {
        taskQueue: TASK_QUEUES.registry,
        workflowId,
        args: [input],
        typedSearchAttributes: [
          { key: SEARCH_ATTRIBUTES.province, value: application.provinceCode },
          { key: SEARCH_ATTRIBUTES.applicationNo, value: applicationNo },
          { key: SEARCH_ATTRIBUTES.stage, value: 'firstReview' },
        ],
        staticSummary: `入会申请 ${applicationNo} ${application.name}（${findProvince(application.provinceCode)?.name}）`,
      });
      return { applicationNo };
    });
  }

  async progress(lookup: ApplicantLookupDto): Promise<ProgressView> {
    const application = await this.findForApplicant(lookup);
    const [tasks, resubmits, member] = await Promise.all([
      this.dataSource.getRepository(Task).find({
        where: { subjectType: 'application', subjectId: application.id },
        order: { createdAt: 'ASC' },
      }),
      this.dataSource.getRepository(AuditEvent).find({
        where: { subjectType: 'application', subjectId: application.id, action: 'application.resubmit' },
        order: { id: 'ASC' },
      }),
      application.memberId ? this.dataSource.getRepository(Member).findOneBy({ id: application.memberId }) : null,
    ]);
    const steps: ProgressStepView[] = [
      { at: application.submittedAt.toISOString(), title: '提交入会申请', outcome: null, reason: null },
    ];
    for (const task of tasks) {
      const level = REVIEW_LEVEL_LABELS[task.type as ReviewLevel] ?? task.type;
      steps.push({ at: task.createdAt.toISOString(), title: `进入${level}`, outcome: null, reason: null });
      const decision = task.decision as { outcome?: ReviewOutcome; reason?: string | null } | null;
      if (task.decidedAt && decision?.outcome) {
        steps.push({
          at: task.decidedAt.toISOString(),
          title: `${level}结论`,
          outcome: REVIEW_OUTCOME_LABELS[decision.outcome],
          reason: decision.reason ?? null,
        });
      }
    }
    for (const event of resubmits) {
      steps.push({ at: event.occurredAt.toISOString(), title: '修改后重新提交', outcome: null, reason: null });
    }
    if (member)
      steps.push({ at: member.createdAt.toISOString(), title: '办理入会，生成证书编号', outcome: null, reason: null });
    steps.sort((a, b) => a.at.localeCompare(b.at));
    return {
      applicationNo: application.applicationNo,
      name: application.name,
      instituteName: findProvince(application.provinceCode)?.instituteName ?? application.provinceCode,
      status: application.status,
      statusLabel: APPLICATION_STATUS_LABELS[application.status] ?? application.status,
      reason: application.status === 'returned' || application.status === 'rejected' ? application.reason : null,
      steps,
      certificateNo: member?.certificateNo ?? null,
      initialPassword: application.initialPasswordCiphertext
        ? openInitialPassword(this.config.session.secret, application.initialPasswordCiphertext)
        : null,
      canResubmit: application.status === 'returned',
    };
  }

  /** The applicant corrects a returned application; the review starts again at the first review. */
  async resubmit(applicationNo: string, fields: Record<string, string>, files: UploadedFile[]): Promise<ProgressView> {
    const { value: dto, problems } = await validateFields(ResubmitApplicationDto, fields);
    const attachments = await this.checkAttachments(files, dto.admissionRoute, false, problems);
    if (problems.length) throw Errors.validation(problems);
    const lookup = { applicationNo: applicationNo.toUpperCase(), idNumber: dto.idNumber };
    const found = await this.findForApplicant(lookup);
    if (found.status !== 'returned') {
      throw conflict('NOT_RETURNED', '只有被退回修改的申请才能重新提交；您的申请当前无需修改。');
    }
    if (dto.admissionRoute === 'exam' && !attachments.some((a) => a.kind === 'examCertificate')) {
      const hasOne = await this.dataSource.getRepository(ApplicationAttachment).exists({
        where: { applicationId: found.id, kind: 'examCertificate' },
      });
      if (!hasOne) throw Errors.validation([{ field: 'examCertificate', messages: ['考试入会须上传全科合格证'] }]);
    }
    const stored = await this.storeAttachments(attachments);
    const application = await this.dataSource.transaction(async (manager) => {
      const application = await manager.findOneOrFail(Application, {
        where: { id: found.id },
        lock: { mode: 'pessimistic_write' },
      });
      if (application.status !== 'returned') throw conflict('NOT_RETURNED', '该申请已重新提交，请勿重复提交。');
      await manager.update(Application, application.id, {
        ...this.details(dto),
        status: 'firstReview',
        stageDetail: '已重新提交，等待初核',
        reason: null,
      });
      await this.saveAttachments(manager, application.id, stored);
      await appendAudit(manager, {
        actorType: 'applicant',
        actorLabel: application.applicationNo,
        action: 'application.resubmit',
        subjectType: 'application',
        subjectId: application.id,
        provinceCode: application.provinceCode,
        detail: { attachments: stored.length },
      });
      return application;
    });
    await this.temporal.workflow.getHandle(application.workflowId).signal(resubmittedSignal);
    return this.progress(lookup);
  }

  /** Staff view of one application; provincial staff only their province's. Audited. */
  async detailForStaff(staff: StaffPrincipal, applicationNo: string) {
    const application = await this.dataSource.getRepository(Application).findOne({
      where: { applicationNo: applicationNo.toUpperCase() },
    });
    if (!application) throw Errors.notFound('该申请');
    // Another province's application is "not found" for a provincial account: nothing to probe.
    if (!canActInProvince(staff, application.provinceCode)) throw Errors.notFound('该申请');
    const attachments = await this.dataSource.getRepository(ApplicationAttachment).find({
      where: { applicationId: application.id },
      order: { createdAt: 'ASC' },
    });
    await this.dataSource.transaction((manager) =>
      appendAudit(manager, {
        actorType: 'staff',
        actorId: staff.id,
        actorLabel: staff.username,
        action: 'application.view',
        subjectType: 'application',
        subjectId: application.id,
        provinceCode: application.provinceCode,
        detail: { applicationNo: application.applicationNo },
      }),
    );
    return {
      applicationNo: application.applicationNo,
      status: application.status,
      statusLabel: APPLICATION_STATUS_LABELS[application.status] ?? application.status,
      reason: application.reason,
      name: application.name,
      gender: application.gender,
      idNumber: application.idNumber,
      dateOfBirth: application.dateOfBirth,
      mobile: application.mobile,
      email: application.email,
      address: application.address,
      provinceCode: application.provinceCode,
      instituteName: findProvince(application.provinceCode)?.instituteName ?? application.provinceCode,
      admissionRoute: application.admissionRoute,
      examPassYear: application.examPassYear,
      examPassCertNo: application.examPassCertNo,
      education: application.education,
      employer: application.employer,
      submittedAt: application.submittedAt.toISOString(),
      workflowId: application.workflowId,
      attachments: attachments.map((a) => ({
        id: a.id,
        kind: a.kind,
        kindLabel: ATTACHMENT_KINDS[a.kind as AttachmentKind] ?? a.kind,
        contentType: a.contentType,
        sizeBytes: a.sizeBytes,
        originalName: a.originalName,
      })),
    };
  }

  /** The application behind a review task (its subject id), read like {@link detailForStaff}. */
  async detailForStaffById(staff: StaffPrincipal, applicationId: string) {
    const application = /^[0-9a-f-]{36}$/i.test(applicationId)
      ? await this.dataSource
          .getRepository(Application)
          .findOne({ where: { id: applicationId }, select: { applicationNo: true } })
      : null;
    if (!application) throw Errors.notFound('该申请');
    return this.detailForStaff(staff, application.applicationNo);
  }

  /**
   * What a returned application holds, to prefill the applicant's correction form; the same
   * two values as the progress query prove who is asking.
   */
  async correctionDetails(lookup: ApplicantLookupDto) {
    const application = await this.findForApplicant(lookup);
    if (application.status !== 'returned') {
      throw conflict('NOT_RETURNED', '只有被退回修改的申请才能修改；您的申请当前无需修改。');
    }
    const attachments = await this.dataSource.getRepository(ApplicationAttachment).find({
      where: { applicationId: application.id },
      select: { kind: true },
    });
    return {
      applicationNo: application.applicationNo,
      idNumber: application.idNumber,
      instituteName: findProvince(application.provinceCode)?.instituteName ?? application.provinceCode,
      reason: application.reason,
      name: application.name,
      mobile: application.mobile,
      email: application.email,
      address: application.address,
      admissionRoute: application.admissionRoute,
      examPassYear: application.examPassYear,
      examPassCertNo: application.examPassCertNo,
      education: application.education,
      employer: application.employer,
      attachmentKinds: [...new Set(attachments.map((a) => a.kind))],
    };
  }

  async attachmentForStaff(staff: StaffPrincipal, applicationNo: string, attachmentId: string) {
    const application = await this.dataSource.getRepository(Application).findOne({
      where: { applicationNo: applicationNo.toUpperCase() },
    });
    if (!application || !canActInProvince(staff, application.provinceCode)) {
      throw Errors.notFound('该附件');
    }
    const attachment = /^[0-9a-f-]{36}$/i.test(attachmentId)
      ? await this.dataSource
          .getRepository(ApplicationAttachment)
          .findOneBy({ id: attachmentId, applicationId: application.id })
      : null;
    if (!attachment) throw Errors.notFound('该附件');
    return {
      contentType: attachment.contentType,
      data: await this.blobs.get(attachment.blobKey),
      name: attachment.originalName,
    };
  }

  private async findForApplicant(lookup: ApplicantLookupDto): Promise<Application> {
    const application = await this.dataSource.getRepository(Application).findOne({
      where: { applicationNo: lookup.applicationNo, idNumber: lookup.idNumber },
    });
    // One message for "no such number" and "wrong ID number": nothing to probe.
    if (!application) throw Errors.notFound('该申请，请核对申请编号和身份证号');
    return application;
  }

  private details(dto: ApplicantDetailsDto) {
    return {
      name: dto.name,
      mobile: dto.mobile,
      email: dto.email,
      address: dto.address ?? null,
      admissionRoute: dto.admissionRoute,
      examPassYear: dto.admissionRoute === 'exam' ? dto.examPassYear! : null,
      examPassCertNo: dto.admissionRoute === 'exam' ? dto.examPassCertNo! : null,
      education: dto.education ?? null,
      employer: dto.employer ?? null,
    };
  }

  /** Each file by content (JPG or PDF), its kind by form field; an ID card is always required. */
  private async checkAttachments(
    files: UploadedFile[],
    route: string | undefined,
    initial: boolean,
    problems: FieldError[],
  ): Promise<CheckedAttachment[]> {
    const checked: CheckedAttachment[] = [];
    for (const file of files) {
      if (!(file.field in ATTACHMENT_KINDS)) {
        problems.push({
          field: file.field,
          messages: [`未知的附件类别，应为 ${Object.keys(ATTACHMENT_KINDS).join('、')}`],
        });
        continue;
      }
      const contentType = await sniffAttachment(file.data);
      if (!contentType) {
        problems.push({ field: file.field, messages: [`“${file.filename}”不是有效的 JPG 图片或 PDF 文件`] });
        continue;
      }
      checked.push({ kind: file.field as AttachmentKind, file, contentType });
    }
    if (initial && !files.some((f) => f.field === 'idCard')) {
      problems.push({ field: 'idCard', messages: ['请上传身份证（正反面）扫描件，JPG 或 PDF'] });
    }
    if (initial && route === 'exam' && !files.some((f) => f.field === 'examCertificate')) {
      problems.push({ field: 'examCertificate', messages: ['考试入会须上传全科合格证，JPG 或 PDF'] });
    }
    return checked;
  }

  private async storeAttachments(attachments: CheckedAttachment[]) {
    // Content-addressed: storing before the transaction leaves at most an unreferenced blob behind.
    return Promise.all(
      attachments.map(async (a) => ({ ...a, blobKey: await this.blobs.put(a.file.data, a.contentType) })),
    );
  }

  private async saveAttachments(
    manager: EntityManager,
    applicationId: string,
    stored: Array<CheckedAttachment & { blobKey: string }>,
  ): Promise<void> {
    for (const a of stored) {
      await manager.save(ApplicationAttachment, {
        applicationId,
        kind: a.kind,
        blobKey: a.blobKey,
        contentType: a.contentType,
        sizeBytes: a.file.data.length,
        originalName: a.file.filename.slice(0, 200),
      });
    }
  }
}
