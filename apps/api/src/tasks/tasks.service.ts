import { HttpStatus, Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Client } from '@temporalio/client';
import { DataSource, type EntityManager } from 'typeorm';
import {
  canHandleTask,
  decisionProblems,
  TASK_TYPE_LABELS,
  taskTypesFor,
  type ReviewDecision,
  type ReviewOutcome,
} from '@app/domain/review';
import { appendAudit, Task } from '@app/persistence';
import { decisionSignal } from '@app/workflows/common/decision-inbox';
import { AppException, Errors } from '../common/app-exception';
import type { StaffPrincipal } from '../common/principal';
import { pageOf, type Page } from '../common/pagination';
import type { ListTasksQuery } from './dto/tasks.dto';

export interface TaskView {
  id: string;
  type: string;
  typeLabel: string;
  subjectType: string;
  subjectId: string;
  subjectLabel: string;
  provinceCode: string | null;
  status: string;
  assigneeId: string | null;
  assigneeName: string | null;
  mine: boolean;
  createdAt: string;
  dueAt: string | null;
  overdue: boolean;
  reminderCount: number;
  decision: unknown;
  decidedAt: string | null;
}

const conflict = (code: string, message: string) => new AppException(code, message, HttpStatus.CONFLICT);

/**
 * The staff work queue (R18): tasks of the caller's role and province only; claim, release,
 * take the next one, decide. A decision is validated, stored with its audit event in one
 * transaction, and only then signalled to the waiting workflow.
 */
@Injectable()
export class TasksService {
  private readonly logger = new Logger(TasksService.name);

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly temporal: Client,
  ) {}

  async list(staff: StaffPrincipal, query: ListTasksQuery): Promise<Page<TaskView>> {
    const types = query.type
      ? [query.type].filter((t) => taskTypesFor(staff.role).includes(t))
      : taskTypesFor(staff.role);
    const qb = this.scoped(staff, types);
    if (query.view === 'open') qb.andWhere(`t.status = 'open'`);
    if (query.view === 'claimed') qb.andWhere(`t.status = 'claimed'`);
    if (query.view === 'mine') qb.andWhere(`t.status = 'claimed' AND t.assignee_id = :me`, { me: staff.id });
    if (query.view === 'done') qb.andWhere(`t.status IN ('done', 'cancelled')`);
    if (query.minAgeHours !== undefined) {
      qb.andWhere(`t.created_at <= now() - make_interval(hours => :hours)`, { hours: query.minAgeHours });
    }
    qb.orderBy('t.createdAt', query.view === 'done' ? 'DESC' : 'ASC')
      .skip((query.page - 1) * query.pageSize)
      .take(query.pageSize);
    const [rows, total] = await qb.getManyAndCount();
    return pageOf(
      rows.map((t) => this.view(t, staff)),
      total,
      query,
    );
  }

  async get(staff: StaffPrincipal, id: string): Promise<TaskView> {
    return this.view(await this.findHandleable(this.dataSource.manager, staff, id), staff);
  }

  /** Claims the oldest open task the caller may handle; concurrent callers never get the same one. */
  async next(staff: StaffPrincipal, type?: string): Promise<TaskView> {
    const types = type ? [type].filter((t) => taskTypesFor(staff.role).includes(t)) : taskTypesFor(staff.role);
    const claimed = await this.dataSource.transaction(async (manager) => {
      // For UPDATE … RETURNING the postgres driver answers [rows, affected count].
      const [rows]: [{ id: string }[], number] = await manager.query(
        `UPDATE tasks SET status = 'claimed', assignee_id = $1, claimed_at = now()
          WHERE id = (
            SELECT id FROM tasks
             WHERE status = 'open' AND type = ANY($2)
               AND province_code IS NOT DISTINCT FROM $3::char(2)
             ORDER BY created_at, id
             LIMIT 1
             FOR UPDATE SKIP LOCKED)
          RETURNING id`,
        [staff.id, types, staff.provinceCode],
      );
      if (!rows.length) return null;
      const task = await manager.findOneByOrFail(Task, { id: rows[0].id });
      await this.audit(manager, staff, 'task.claim', task, { via: 'next' });
      return task;
    });
    if (!claimed) throw Errors.notFound('待处理的任务：队列中暂无待办');
    return this.get(staff, claimed.id);
  }

  async claim(staff: StaffPrincipal, id: string): Promise<TaskView> {
    await this.dataSource.transaction(async (manager) => {
      const task = await this.findHandleable(manager, staff, id, true);
      if (task.status === 'claimed' && task.assigneeId === staff.id) return;
      if (task.status === 'claimed') throw conflict('TASK_CLAIMED', '该任务已被其他工作人员认领。');
      if (task.status !== 'open') throw conflict('TASK_CLOSED', '该任务已处理完毕，无需再认领。');
      await manager.update(Task, task.id, { status: 'claimed', assigneeId: staff.id, claimedAt: new Date() });
      await this.audit(manager, staff, 'task.claim', task, {});
    });
    return this.get(staff, id);
  }

  async release(staff: StaffPrincipal, id: string): Promise<TaskView> {
    await this.dataSource.transaction(async (manager) => {
      const task = await this.findHandleable(manager, staff, id, true);
      if (task.status !== 'claimed' || task.assigneeId !== staff.id) {
        throw conflict('TASK_NOT_YOURS', '只能退回自己已认领且尚未处理的任务。');
      }
      await manager.update(Task, task.id, { status: 'open', assigneeId: null, claimedAt: null });
      await this.audit(manager, staff, 'task.release', task, {});
    });
    return this.get(staff, id);
  }

  async decide(staff: StaffPrincipal, id: string, outcome: ReviewOutcome, reason?: string): Promise<TaskView> {
    const problems = decisionProblems(outcome, reason);
    if (problems.length)
      throw Errors.validation([{ field: outcome === 'approve' ? 'outcome' : 'reason', messages: problems }]);
    const decision: ReviewDecision = {
      outcome,
      reason: outcome === 'approve' ? null : reason!.trim(),
      decidedBy: staff.id,
      decidedByLabel: staff.displayName,
    };
    return this.recordDecision(staff, id, async (_manager, task) => {
      // An on-site check records more than a verdict (the verified photo): it has its own form and endpoint.
      if (task.type === 'onSiteCheck') {
        throw new AppException(
          'ON_SITE_FORM_REQUIRED',
          '现场核验任务须登记核验结果并上传核验后的照片，请在现场核验页面办理。',
          HttpStatus.CONFLICT,
        );
      }
      return {
        outcome,
        decision,
        stored: { outcome: decision.outcome, reason: decision.reason },
        detail: { reason: decision.reason },
      };
    });
  }

  /**
   * The part every decision shares, whatever it carries: the task must be the caller's to decide (role, province,
   * claimed by them, still open); `make` validates and stores what the decision needs in the same transaction;
   * the task is closed and audited, and only after the commit the waiting workflow is signalled.
   */
  async recordDecision<D>(
    staff: StaffPrincipal,
    id: string,
    make: (
      manager: EntityManager,
      task: Task,
    ) => Promise<{ outcome: string; decision: D; stored: Record<string, unknown>; detail: Record<string, unknown> }>,
  ): Promise<TaskView> {
    const { task, decision } = await this.dataSource.transaction(async (manager) => {
      const task = await this.findHandleable(manager, staff, id, true);
      if (task.status === 'done' || task.status === 'cancelled') {
        throw conflict('TASK_CLOSED', '该任务已处理，不能重复审核。');
      }
      if (task.status !== 'claimed') throw conflict('TASK_NOT_CLAIMED', '请先认领该任务再作出审核结论。');
      if (task.assigneeId !== staff.id) throw conflict('TASK_CLAIMED', '该任务已被其他工作人员认领。');
      const made = await make(manager, task);
      task.status = 'done';
      task.decision = made.stored;
      task.decidedBy = staff.id;
      task.decidedAt = new Date();
      await manager.save(task);
      await this.audit(manager, staff, `${task.type}.${made.outcome}`, task, made.detail);
      return { task, decision: made.decision };
    });
    await this.signal(task, decision);
    return this.get(staff, id);
  }

  /**
   * The decision is already stored; the signal tells the waiting workflow. Temporal's client
   * retries transient failures itself; a workflow that no longer exists is logged, since
   * the stored decision cannot be taken back.
   */
  private async signal(task: Task, decision: unknown): Promise<void> {
    try {
      await this.temporal.workflow.getHandle(task.workflowId).signal(decisionSignal, { taskId: task.id, decision });
    } catch (error) {
      this.logger.error(`decision on task ${task.id} stored but not signalled to ${task.workflowId}: ${String(error)}`);
      throw new AppException(
        'SIGNAL_FAILED',
        '审核结论已保存，但流程暂时未能接收，系统管理员会处理；请勿重复提交。',
        HttpStatus.SERVICE_UNAVAILABLE,
      );
    }
  }

  private scoped(staff: StaffPrincipal, types: string[]) {
    return this.dataSource
      .getRepository(Task)
      .createQueryBuilder('t')
      .leftJoinAndSelect('t.assignee', 'assignee')
      .where('t.type = ANY(:types)', { types })
      .andWhere('t.province_code IS NOT DISTINCT FROM CAST(:province AS char(2))', { province: staff.provinceCode });
  }

  /** The task, or 404 when it does not exist *or* belongs to another province or role: no probing. */
  private async findHandleable(manager: EntityManager, staff: StaffPrincipal, id: string, lock = false): Promise<Task> {
    const task = /^[0-9a-f-]{36}$/i.test(id)
      ? await manager.findOne(Task, {
          where: { id },
          // FOR UPDATE cannot lock the nullable side of the assignee join, so locking reads skip it.
          ...(lock ? { lock: { mode: 'pessimistic_write' as const } } : { relations: { assignee: true } }),
        })
      : null;
    if (!task || !canHandleTask(staff, task)) throw Errors.notFound('该任务');
    return task;
  }

  private audit(
    manager: EntityManager,
    staff: StaffPrincipal,
    action: string,
    task: Task,
    detail: Record<string, unknown>,
  ) {
    return appendAudit(manager, {
      actorType: 'staff',
      actorId: staff.id,
      actorLabel: staff.username,
      action,
      subjectType: 'task',
      subjectId: task.id,
      provinceCode: task.provinceCode,
      detail: {
        ...detail,
        taskType: task.type,
        subject: `${task.subjectType}:${task.subjectId}`,
        workflowId: task.workflowId,
      },
    });
  }

  private view(t: Task, staff: StaffPrincipal): TaskView {
    return {
      id: t.id,
      type: t.type,
      typeLabel: TASK_TYPE_LABELS[t.type] ?? t.type,
      subjectType: t.subjectType,
      subjectId: t.subjectId,
      subjectLabel: t.subjectLabel,
      provinceCode: t.provinceCode,
      status: t.status,
      assigneeId: t.assigneeId,
      assigneeName: t.assignee?.displayName ?? null,
      mine: t.assigneeId === staff.id,
      createdAt: t.createdAt.toISOString(),
      dueAt: t.dueAt?.toISOString() ?? null,
      overdue: (t.status === 'open' || t.status === 'claimed') && !!t.dueAt && t.dueAt.getTime() < Date.now(),
      reminderCount: t.reminderCount,
      decision: t.decision,
      decidedAt: t.decidedAt?.toISOString() ?? null,
    };
  }
}
