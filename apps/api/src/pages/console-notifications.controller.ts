import { Body, Controller, Get, Param, Post, Query, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
// Brings reply.view() into the FastifyReply type.
import type {} from '@fastify/view';
import type { FastifyReply } from 'fastify';
import { NOTIFICATION_CHANNELS, NOTIFICATION_STATUSES } from '@app/persistence';
import { Errors } from '../common/app-exception';
import { CurrentPrincipal, StaffOnly } from '../common/decorators';
import { validateFields } from '../common/multipart';
import type { StaffPrincipal } from '../common/principal';
import {
  NotificationsQuery,
  RESOLUTION_OUTCOMES,
  ResolveNotificationDto,
  type ResolutionOutcome,
} from '../notifications/notifications.dto';
import {
  IN_FLIGHT_SECONDS,
  NOTIFICATION_CHANNEL_LABELS,
  NOTIFICATION_STATUS_LABELS,
  NotificationsService,
  RESOLUTION_OUTCOME_LABELS,
  RESOLVABLE_FROM,
  type NotificationItem,
} from '../notifications/notifications.service';
import { beijingTime, fieldMessages, pageError, sendStaffPage, waitingTime } from './page-helpers';

type Form = Record<string, string | string[] | undefined>;

/** Rows per page in the console (the JSON API's default is 20 too). */
const PAGE_SIZE = 20;

/** The service refuses to resend a row handed over this recently; the page marks such rows. */
const IN_FLIGHT_MS = IN_FLIGHT_SECONDS * 1000;

/**
 * Messages after a redirect, by a fixed key: the query string names the message, it never carries its text, so a
 * crafted link cannot put words on our page.
 */
const FLASH: Record<ResolutionOutcome, string> = {
  delivered: '已确认送达：该通知已记为“已发送”，系统不会再发送。',
  resend: '已安排重新发送：该通知已回到“待发送”，发送流程将再次发出。',
};

function one(value: string | string[] | undefined): string {
  return (Array.isArray(value) ? value[0] : value)?.trim() ?? '';
}

/** The list's filter from a query string or a form's hidden fields: only what was given, "全部" (empty) left out. */
function filterOf(raw: Form): Record<string, string> {
  return Object.fromEntries(
    (['status', 'channel', 'page'] as const).map((k) => [k, one(raw[k])]).filter(([, v]) => v !== ''),
  ) as Record<string, string>;
}

/** A link back to the list with the same filter (from validated values only) and optional extras. */
function listHref(query: NotificationsQuery, extra: Record<string, string> = {}): string {
  const params = new URLSearchParams(
    Object.entries({
      status: query.status,
      channel: query.channel ?? '',
      page: query.page > 1 ? String(query.page) : '',
      ...extra,
    }).filter(([, v]) => v !== ''),
  ).toString();
  return `/console/notifications${params ? `?${params}` : ''}`;
}

/** What went wrong with one row's form, shown next to it. */
interface RowProblem {
  id: string;
  error: string;
  fields: Record<string, string>;
  form: Form;
}

/**
 * Notifications in doubt in the console (R14), for national administrators: the outbox rows the dispatcher left in
 * `sending` (or any other status, to look up), each with a form to settle it after checking with the mail server or
 * SMS gateway: delivered, or send again. Every resolution goes through NotificationsService (conditional update and
 * audit event in one transaction), as the JSON API does.
 */
@ApiExcludeController()
@StaffOnly('nationalAdmin')
@Controller('console/notifications')
export class ConsoleNotificationsController {
  constructor(private readonly notifications: NotificationsService) {}

  /** A bad filter in the address is the error page with its Chinese message, as for the follow-up list. */
  @Get()
  async index(@CurrentPrincipal() staff: StaffPrincipal, @Query() raw: Form = {}, @Res() reply: FastifyReply) {
    const { value, problems } = await validateFields(NotificationsQuery, { ...filterOf(raw), pageSize: PAGE_SIZE });
    if (problems.length) throw Errors.validation(problems);
    const ok = one(raw.ok);
    return this.render(reply, staff, value, 200, {
      ok: (RESOLUTION_OUTCOMES as readonly string[]).includes(ok) ? FLASH[ok as ResolutionOutcome] : undefined,
    });
  }

  @Post(':id/resolve')
  async resolve(
    @CurrentPrincipal() staff: StaffPrincipal,
    @Param('id') id: string,
    @Body() form: Form = {},
    @Res() reply: FastifyReply,
  ) {
    // The filter the operator was looking at travels in hidden fields; a tampered one falls back to the default list.
    const filter = await validateFields(NotificationsQuery, { ...filterOf(form), pageSize: PAGE_SIZE });
    const query = filter.problems.length
      ? (await validateFields(NotificationsQuery, { pageSize: PAGE_SIZE })).value
      : filter.value;
    const { value, problems } = await validateFields(ResolveNotificationDto, {
      outcome: one(form.outcome) || undefined,
      note: one(form.note),
    });
    if (problems.length) {
      return this.render(reply, staff, query, 400, {
        problem: {
          id,
          error: '处理失败：填写的内容有误，请按提示修改后重新提交。',
          fields: fieldMessages(problems),
          form,
        },
      });
    }
    try {
      await this.notifications.resolve(staff, id, value.outcome, value.note);
    } catch (error) {
      const problem = pageError(error);
      return this.render(reply, staff, query, problem.status, {
        problem: { id, error: problem.message, fields: problem.fields, form },
      });
    }
    return reply.redirect(listHref(query, { ok: value.outcome }), 303);
  }

  private async render(
    reply: FastifyReply,
    staff: StaffPrincipal,
    query: NotificationsQuery,
    status: number,
    view: { ok?: string; problem?: RowProblem },
  ) {
    const page = await this.notifications.list(query);
    const problem = view.problem;
    const now = new Date();
    return sendStaffPage(reply, staff, status, 'console/notifications.hbs', {
      title: '在途通知',
      page,
      items: page.items.map((item) => this.itemView(item, query, now, problem?.id === item.id ? problem : undefined)),
      statuses: NOTIFICATION_STATUSES.map((value) => ({
        value,
        label: `${NOTIFICATION_STATUS_LABELS[value]}（${value}）`,
        selected: value === query.status,
      })),
      channels: NOTIFICATION_CHANNELS.map((value) => ({
        value,
        label: NOTIFICATION_CHANNEL_LABELS[value],
        selected: value === query.channel,
      })),
      statusLabel: NOTIFICATION_STATUS_LABELS[query.status],
      inDoubt: query.status === 'sending',
      // A row that is no longer on this page (resolved meanwhile, another page) still gets its message, with the
      // field messages that would otherwise stand next to its form.
      error:
        problem && !page.items.some((i) => i.id === problem.id)
          ? [problem.error, ...Object.values(problem.fields)].join(' ')
          : undefined,
      ok: view.ok,
      prev: page.page > 1 ? listHref({ ...query, page: page.page - 1 }) : undefined,
      next: page.page < page.pages ? listHref({ ...query, page: page.page + 1 }) : undefined,
    });
  }

  private itemView(item: NotificationItem, query: NotificationsQuery, now: Date, problem: RowProblem | undefined) {
    const outcomes = RESOLUTION_OUTCOMES.filter((o) => RESOLVABLE_FROM[o].includes(item.status));
    const chosen = problem ? one(problem.form.outcome) : '';
    return {
      ...item,
      channelLabel: NOTIFICATION_CHANNEL_LABELS[item.channel],
      statusLabel: NOTIFICATION_STATUS_LABELS[item.status],
      createdAtLabel: beijingTime(item.createdAt),
      sendingAtLabel: beijingTime(item.sendingAt),
      sentAtLabel: beijingTime(item.sentAt),
      inDoubtFor: item.status === 'sending' && item.sendingAt ? waitingTime(item.sendingAt.toISOString(), now) : '',
      inFlight:
        item.status === 'sending' && item.sendingAt !== null && now.getTime() - item.sendingAt.getTime() < IN_FLIGHT_MS,
      resolve: outcomes.length
        ? {
            action: `/console/notifications/${item.id}/resolve`,
            outcomes: outcomes.map((value) => ({
              value,
              label: RESOLUTION_OUTCOME_LABELS[value],
              checked: value === chosen,
            })),
            note: problem ? one(problem.form.note) : '',
            status: query.status,
            channel: query.channel ?? '',
            page: query.page,
            error: problem?.error,
            fields: problem?.fields ?? {},
          }
        : undefined,
    };
  }
}
