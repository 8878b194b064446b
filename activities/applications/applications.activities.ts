import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { hash } from '@node-rs/argon2';
import { DataSource, type EntityManager } from 'typeorm';
import { APP_CONFIG, type AppConfig } from '@app/config';
import { beijingToday } from '@app/domain/beijing-date';
import { findProvince, NATIONAL_BODY_NAME } from '@app/domain/provinces';
import { REVIEW_LEVEL_LABELS, TASK_TYPE_LABELS, type ReviewDecision, type ReviewLevel } from '@app/domain/review';
import {
  Application,
  appendAudit,
  Institute,
  Member,
  nextCertificateNo,
  generateInitialPassword,
  sealInitialPassword,
  Task,
} from '@app/persistence';
import { enqueue } from '../notifications/outbox';

export interface OpenReviewTaskInput {
  readonly applicationId: string;
  readonly level: ReviewLevel;
  readonly round: number;
  readonly workflowId: string;
  readonly dueInSeconds: number;
}

/**
 * Activities of the applicationReview workflow. Each is idempotent: Temporal may run an
 * activity again after a crash, and a second run must find its own earlier work.
 */
@Injectable()
export class ApplicationActivities {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** Opens the review task for this wait (one per workflow wait, enforced by a unique index). */
  async openReviewTask(input: OpenReviewTaskInput): Promise<{ taskId: string }> {
    const waitKey = `${input.level}-${input.round}`;
    return this.dataSource.transaction(async (manager) => {
      const existing = await manager.findOne(Task, {
        where: { workflowId: input.workflowId, waitKey },
        order: { createdAt: 'DESC' },
      });
      if (existing) return { taskId: existing.id };
      const application = await manager.findOneByOrFail(Application, { id: input.applicationId });
      const task = await manager.save(Task, {
        type: input.level,
        provinceCode: input.level === 'firstReview' ? application.provinceCode : null,
        subjectType: 'application',
        subjectId: application.id,
        subjectLabel: `${application.applicationNo} ${application.name}（${findProvince(application.provinceCode)?.name ?? ''}）`,
        workflowId: input.workflowId,
        waitKey,
        status: 'open',
        dueAt: new Date(Date.now() + input.dueInSeconds * 1000),
      });
      await manager.update(Application, application.id, {
        status: input.level,
        stageDetail: `等待${REVIEW_LEVEL_LABELS[input.level]}`,
      });
      return { taskId: task.id };
    });
  }

  /** Marks the task overdue-reminded and mails the institute's (or the national body's) contact. */
  async remindReviewTask(input: { taskId: string; reminder: number }): Promise<void> {
    await this.dataSource.transaction(async (manager) => {
      const task = await manager.findOneByOrFail(Task, { id: input.taskId });
      if (task.status === 'done' || task.status === 'cancelled') return;
      await manager.query(
        `UPDATE tasks SET reminded_at = now(), reminder_count = GREATEST(reminder_count, $2) WHERE id = $1`,
        [task.id, input.reminder],
      );
      const institute = task.provinceCode ? await manager.findOneBy(Institute, { code: task.provinceCode }) : null;
      const recipient = institute?.responsibleEmail ?? this.config.notifications.nationalContactEmail;
      await enqueue(manager, [
        {
          channel: 'mail',
          recipient,
          template: 'task-reminder.mail',
          vars: {
            recipientName: institute?.responsibleName ?? `${NATIONAL_BODY_NAME}注册部`,
            taskLabel: TASK_TYPE_LABELS[task.type] ?? task.type,
            subjectLabel: task.subjectLabel,
            createdAt: task.createdAt.toISOString().slice(0, 16).replace('T', ' '),
            waitingDays: Math.max(1, Math.floor((Date.now() - task.createdAt.getTime()) / 86_400_000)),
            reminder: input.reminder,
          },
          dedupeKey: `task-reminder:${task.id}:${input.reminder}`,
        },
      ]);
      await appendAudit(manager, {
        actorType: 'system',
        actorLabel: 'applicationReview',
        action: 'task.remind',
        subjectType: 'task',
        subjectId: task.id,
        provinceCode: task.provinceCode,
        detail: { reminder: input.reminder, recipient },
      });
    });
  }

  /** Applies a review decision to the application and tells the applicant about a return or rejection. */
  async recordReviewOutcome(input: {
    applicationId: string;
    level: ReviewLevel;
    round: number;
    decision: ReviewDecision;
  }): Promise<void> {
    const { decision, level } = input;
    if (decision.outcome === 'approve') return; // the next stage's task sets the status
    await this.dataSource.transaction(async (manager) => {
      const application = await manager.findOneByOrFail(Application, { id: input.applicationId });
      const status = decision.outcome === 'return' ? 'returned' : 'rejected';
      await manager.update(Application, application.id, {
        status,
        reason: decision.reason,
        stageDetail: `${REVIEW_LEVEL_LABELS[level]}${decision.outcome === 'return' ? '退回修改' : '未予通过'}`,
      });
      await enqueue(manager, [
        {
          channel: 'sms',
          recipient: application.mobile,
          template: decision.outcome === 'return' ? 'application-returned.sms' : 'application-rejected.sms',
          vars: {
            name: application.name,
            applicationNo: application.applicationNo,
            level: REVIEW_LEVEL_LABELS[level],
            reason: decision.reason ?? '',
            instituteName: findProvince(application.provinceCode)?.instituteName ?? '',
          },
          dedupeKey: `application:${application.id}:${level}-${input.round}:${decision.outcome}`,
        },
      ]);
    });
  }

  /**
   * Admits the applicant: certificate number (never reused), initial password, member
   * record, notices. Runs once per application: a retry returns the member made before.
   */
  async admitMember(input: { applicationId: string }): Promise<{ certificateNo: string; memberId: string }> {
    const initialPassword = generateInitialPassword();
    const passwordHash = await hash(initialPassword);
    return this.dataSource.transaction(async (manager) => {
      const application = await manager.findOneOrFail(Application, {
        where: { id: input.applicationId },
        lock: { mode: 'pessimistic_write' },
      });
      if (application.memberId) {
        const member = await manager.findOneByOrFail(Member, { id: application.memberId });
        return { certificateNo: member.certificateNo, memberId: member.id };
      }
      const member = await this.createMember(manager, application, passwordHash);
      await manager.update(Application, application.id, {
        status: 'approved',
        stageDetail: '审核通过，已入会',
        reason: null,
        memberId: member.id,
        initialPasswordCiphertext: sealInitialPassword(this.config.session.secret, initialPassword),
      });
      const vars = {
        name: application.name,
        applicationNo: application.applicationNo,
        certificateNo: member.certificateNo,
        instituteName: findProvince(application.provinceCode)?.instituteName ?? '',
      };
      await enqueue(manager, [
        {
          channel: 'sms',
          recipient: application.mobile,
          template: 'application-approved.sms',
          vars,
          dedupeKey: `application:${application.id}:approved:sms`,
          memberId: member.id,
        },
        {
          channel: 'mail',
          recipient: application.email,
          template: 'application-approved.mail',
          vars,
          dedupeKey: `application:${application.id}:approved:mail`,
          memberId: member.id,
        },
      ]);
      await appendAudit(manager, {
        actorType: 'system',
        actorLabel: 'applicationReview',
        action: 'member.admit',
        subjectType: 'member',
        subjectId: member.id,
        provinceCode: member.provinceCode,
        detail: { applicationNo: application.applicationNo, certificateNo: member.certificateNo },
      });
      return { certificateNo: member.certificateNo, memberId: member.id };
    });
  }

  private async createMember(manager: EntityManager, a: Application, passwordHash: string): Promise<Member> {
    const certificateNo = await nextCertificateNo(manager, a.provinceCode);
    // The approval's date as the institute and the member read it (at 07:00 in Beijing UTC is still yesterday).
    const today = beijingToday();
    return manager.save(Member, {
      certificateNo,
      name: a.name,
      gender: a.gender,
      idNumber: a.idNumber,
      dateOfBirth: a.dateOfBirth,
      mobile: a.mobile,
      email: a.email,
      address: a.address,
      provinceCode: a.provinceCode,
      status: 'active',
      admissionRoute: a.admissionRoute,
      examPassYear: a.examPassYear,
      examPassCertNo: a.examPassCertNo,
      joinedOn: today,
      // 入会批准文件号: issued by the national body with the approval.
      approvalDocNo: `会协批〔${today.slice(0, 4)}〕${certificateNo.slice(-6)}号`,
      // Members approved from 2021 on get only the e-certificate (R11).
      paperCertificate: 'none',
      passwordHash,
      mustChangePassword: true,
    } as Member);
  }
}
