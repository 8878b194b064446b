import { Body, Controller, Get, HttpCode, Param, Post, Query, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
// Brings reply.view() into the FastifyReply type.
import type {} from '@fastify/view';
import { sendPrivateFile } from '../common/send-file';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { REVIEW_OUTCOME_LABELS, TASK_TYPE_LABELS, taskTypesFor, type ReviewOutcome } from '@app/domain/review';
import { ApplicationsService } from '../applications/applications.service';
import { ClaimsService } from '../claims/claims.service';
import { CurrentPrincipal, StaffOnly } from '../common/decorators';
import { readMultipart, validateFields } from '../common/multipart';
import type { StaffPrincipal } from '../common/principal';
import { ListTasksQuery } from '../tasks/dto/tasks.dto';
import { TasksService, type TaskView } from '../tasks/tasks.service';
import {
  beijingTime,
  fieldMessages,
  pageError,
  sendStaffPage,
  staffShell,
  type PageError,
  waitingTime,
} from './page-helpers';

type Form = Record<string, string | undefined>;

/**
 * Messages after a redirect, by a fixed key: the query string names the message, it never
 * carries its text, so a crafted link cannot put words on our page.
 */
const FLASH: Record<string, { kind: 'ok' | 'notice'; text: string }> = {
  claimed: { kind: 'ok', text: '已认领该任务，请审核后作出结论。' },
  released: { kind: 'ok', text: '任务已退回队列，其他工作人员可以认领。' },
  decided: { kind: 'ok', text: '审核结论已提交，流程已继续。' },
  checked: { kind: 'ok', text: '现场核验结果已登记，会员将收到通知。' },
  empty: { kind: 'notice', text: '队列中暂无待办。' },
};

const VIEW_LABELS: Record<string, string> = {
  open: '待认领',
  mine: '我认领的',
  claimed: '已认领（全部）',
  done: '已完成',
  all: '全部',
};

/** On-site checks have their own outcome words: the member's identity was verified, not an application. */
const ON_SITE_OUTCOME_LABELS: Record<string, string> = { approve: '核验通过', reject: '核验不通过' };

const GENDER_LABELS: Record<string, string> = { M: '男', F: '女' };

const STATUS_LABELS: Record<string, string> = {
  open: '待认领',
  claimed: '已认领',
  done: '已完成',
  cancelled: '已取消',
};

function flash(key: string | undefined) {
  const entry = key ? FLASH[key] : undefined;
  return entry ? { [entry.kind]: entry.text } : {};
}

/**
 * The staff work queue as pages (R18): list, take the next task, claim, release and decide.
 * Every action goes through TasksService, which checks the caller's role and province,
 * records and audits the decision and only then signals the waiting workflow.
 */
@ApiExcludeController()
@StaffOnly()
@Controller('console')
export class ConsoleTasksController {
  constructor(
    private readonly tasks: TasksService,
    private readonly applications: ApplicationsService,
    private readonly claims: ClaimsService,
  ) {}

  @Get('tasks')
  async queue(@CurrentPrincipal() staff: StaffPrincipal, @Query() raw: Form, @Res() reply: FastifyReply) {
    // A GET form sends empty inputs as empty strings; they mean "no filter".
    const given = Object.fromEntries(Object.entries(raw).filter(([k, v]) => v !== '' && k !== 'ok' && k !== 'notice'));
    const { value, problems } = await validateFields(ListTasksQuery, given);
    const query = problems.length ? new ListTasksQuery() : value;
    const page = await this.tasks.list(staff, query);
    const params = (p: number) =>
      new URLSearchParams({
        ...(query.type ? { type: query.type } : {}),
        view: query.view,
        ...(query.minAgeHours !== undefined ? { minAgeHours: String(query.minAgeHours) } : {}),
        page: String(p),
      }).toString();
    const types = taskTypesFor(staff.role);
    return reply.code(problems.length ? 400 : 200).view('console/tasks.hbs', {
      title: '工作队列',
      ...staffShell(staff),
      ...flash(raw.ok ?? raw.notice),
      error: problems.length ? Object.values(fieldMessages(problems)).join('；') : undefined,
      query,
      page,
      rows: page.items.map((t) => this.row(t)),
      types: types.map((t) => ({ value: t, label: TASK_TYPE_LABELS[t] ?? t, selected: t === query.type })),
      views: Object.entries(VIEW_LABELS).map(([v, label]) => ({ value: v, label, selected: v === query.view })),
      prev: page.page > 1 ? params(page.page - 1) : undefined,
      next: page.page < page.pages ? params(page.page + 1) : undefined,
    });
  }

  @Post('tasks/next')
  async next(@CurrentPrincipal() staff: StaffPrincipal, @Body() form: Form, @Res() reply: FastifyReply) {
    try {
      const task = await this.tasks.next(staff, form.type || undefined);
      return reply.redirect(`/console/tasks/${task.id}?ok=claimed`, 303);
    } catch (error) {
      if (pageError(error).status !== 404) throw error;
      return reply.redirect('/console/tasks?notice=empty', 303);
    }
  }

  @Get('tasks/:id')
  async task(
    @CurrentPrincipal() staff: StaffPrincipal,
    @Param('id') id: string,
    @Query('ok') ok: string | undefined,
    @Res() reply: FastifyReply,
  ) {
    return this.renderTask(reply, staff, id, flash(ok));
  }

  @Post('tasks/:id/claim')
  async claim(@CurrentPrincipal() staff: StaffPrincipal, @Param('id') id: string, @Res() reply: FastifyReply) {
    try {
      await this.tasks.claim(staff, id);
      return reply.redirect(`/console/tasks/${encodeURIComponent(id)}?ok=claimed`, 303);
    } catch (error) {
      return this.renderTaskError(reply, staff, id, error);
    }
  }

  @Post('tasks/:id/release')
  async release(@CurrentPrincipal() staff: StaffPrincipal, @Param('id') id: string, @Res() reply: FastifyReply) {
    try {
      await this.tasks.release(staff, id);
      return reply.redirect('/console/tasks?ok=released', 303);
    } catch (error) {
      return this.renderTaskError(reply, staff, id, error);
    }
  }

  @Post('tasks/:id/decision')
  async decide(
    @CurrentPrincipal() staff: StaffPrincipal,
    @Param('id') id: string,
    @Body() form: Form,
    @Res() reply: FastifyReply,
  ) {
    try {
      await this.tasks.decide(staff, id, (form.outcome ?? '') as ReviewOutcome, form.reason);
      return reply.redirect('/console/tasks?ok=decided', 303);
    } catch (error) {
      return this.renderTaskError(reply, staff, id, error, form);
    }
  }

  /**
   * R7c, R10: the on-site check's form (multipart: the verified photo) goes to ClaimsService.decideOnSite, which
   * checks the photo before storing anything and records the decision through the work queue's shared path.
   */
  @Post('tasks/:id/on-site-decision')
  @HttpCode(200)
  async decideOnSite(
    @CurrentPrincipal() staff: StaffPrincipal,
    @Param('id') id: string,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ) {
    let fields: Record<string, string> = {};
    try {
      const form = await readMultipart(request);
      fields = form.fields;
      await this.claims.decideOnSite(staff, id, form.fields, form.files);
      return reply.redirect('/console/tasks?ok=checked', 303);
    } catch (error) {
      return this.renderTaskError(reply, staff, id, error, fields);
    }
  }

  /** Streams an attachment as the JSON API does, for links on the task page (same scope rule). */
  @Get('applications/:applicationNo/attachments/:attachmentId')
  async attachment(
    @CurrentPrincipal() staff: StaffPrincipal,
    @Param('applicationNo') applicationNo: string,
    @Param('attachmentId') attachmentId: string,
    @Res() reply: FastifyReply,
  ) {
    const file = await this.applications.attachmentForStaff(staff, applicationNo, attachmentId);
    return sendPrivateFile(reply, file);
  }

  /** The task page again, with the error of an action that was refused (400, 409, 503). */
  private async renderTaskError(reply: FastifyReply, staff: StaffPrincipal, id: string, error: unknown, form?: Form) {
    const problem = pageError(error);
    // "Not found" (another province, another role, no such task) is the plain error page.
    if (problem.status === 404) throw error;
    return this.renderTask(reply, staff, id, {}, problem, form);
  }

  private async renderTask(
    reply: FastifyReply,
    staff: StaffPrincipal,
    id: string,
    messages: { ok?: string; notice?: string },
    problem?: PageError,
    form: Form = {},
  ) {
    const task = await this.tasks.get(staff, id);
    const application =
      task.subjectType === 'application' ? await this.applications.detailForStaffById(staff, task.subjectId) : null;
    const onSite = task.type === 'onSiteCheck' ? await this.claims.onSiteDetail(staff, id) : null;
    const decision = task.decision as { outcome?: ReviewOutcome; reason?: string | null } | null;
    const outcome = form.outcome && form.outcome in REVIEW_OUTCOME_LABELS ? form.outcome : undefined;
    return sendStaffPage(reply, staff, problem?.status ?? 200, 'console/task.hbs', {
      title: `${task.typeLabel} · ${task.subjectLabel}`,
      ...messages,
      // A refused decision names what to fix in words, not the API's field names.
      error: problem?.status === 400 ? Object.values(problem.fields).join('；') || problem.message : problem?.message,
      errors: problem?.fields ?? {},
      task: this.row(task),
      application: application && {
        ...application,
        genderLabel: application.gender === 'M' ? '男' : '女',
        routeLabel: application.admissionRoute === 'exam' ? '考试（全科合格）' : '考核',
        exam: application.admissionRoute === 'exam',
        submittedAt: beijingTime(application.submittedAt),
        attachments: application.attachments.map((a) => ({
          ...a,
          href: `/console/applications/${encodeURIComponent(application.applicationNo)}/attachments/${a.id}`,
          sizeLabel:
            a.sizeBytes >= 1024 * 1024
              ? `${(a.sizeBytes / 1024 / 1024).toFixed(1)} MB`
              : `${Math.ceil(a.sizeBytes / 1024)} KB`,
        })),
      },
      onSite: onSite && {
        ...onSite,
        member: {
          ...onSite.member,
          genderLabel: GENDER_LABELS[onSite.member.gender] ?? onSite.member.gender,
          routeLabel: onSite.member.admissionRoute === 'exam' ? '考试（全科合格）' : '考核',
        },
        memberPhotoHref: onSite.candidatePhotoId ? `/api/claims/on-site/${encodeURIComponent(id)}/member-photo` : null,
        timelineHref: `/console/members/${onSite.member.certificateNo}`,
        useMemberPhoto: form.useMemberPhoto === 'true' || form.useMemberPhoto === 'on',
      },
      canDecide: task.status === 'claimed' && task.mine,
      canClaim: task.status === 'open',
      decision: decision?.outcome && {
        outcomeLabel: (onSite ? ON_SITE_OUTCOME_LABELS : REVIEW_OUTCOME_LABELS)[decision.outcome],
        reason: decision.reason,
        decidedAt: beijingTime(task.decidedAt),
      },
      outcomes: Object.entries(onSite ? ON_SITE_OUTCOME_LABELS : REVIEW_OUTCOME_LABELS).map(([value, label]) => ({
        value,
        label,
        checked: value === outcome,
      })),
      reason: form.reason,
    });
  }

  private row(t: TaskView) {
    const open = t.status === 'open' || t.status === 'claimed';
    return {
      ...t,
      // Not `statusLabel`: that name is a page helper (member status), which wins over row fields.
      stateLabel: STATUS_LABELS[t.status] ?? t.status,
      createdAtLabel: beijingTime(t.createdAt),
      dueAtLabel: beijingTime(t.dueAt),
      // A closed task waited from creation to decision; an open one is still waiting.
      waiting: waitingTime(t.createdAt, open || !t.decidedAt ? new Date() : new Date(t.decidedAt)),
      open,
      claimable: t.status === 'open',
      workable: t.status === 'claimed' && t.mine,
    };
  }
}
