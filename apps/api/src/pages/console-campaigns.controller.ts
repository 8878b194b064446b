import { Body, Controller, Get, Param, Post, Query, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
// Brings reply.view() into the FastifyReply type.
import type {} from '@fastify/view';
import type { FastifyReply } from 'fastify';
import { beijingYear } from '@app/domain/beijing-date';
import { findProvince, PROVINCES } from '@app/domain/provinces';
import {
  PROVINCE_CAMPAIGN_STATUS_LABELS,
  type CampaignCounts,
  type ProvinceCampaignStatus,
} from '@app/workflows/inspection-campaign/inspection-campaign.messages';
import { CampaignFollowUpService, FOLLOW_UP_LABELS } from '../campaigns/campaign-follow-up.service';
import { CampaignControlDto, LaunchCampaignDto } from '../campaigns/launch-campaign.dto';
import { CampaignsService, type CampaignOverview } from '../campaigns/campaigns.service';
import { FOLLOW_UP_INSPECTIONS, FollowUpQuery } from '../campaigns/follow-up.dto';
import { Errors, type FieldError } from '../common/app-exception';
import { CurrentPrincipal, StaffOnly } from '../common/decorators';
import { validateFields } from '../common/multipart';
import type { StaffPrincipal } from '../common/principal';
import { beijingTime, fieldMessages, pageError, sendStaffPage } from './page-helpers';

/** A form as Fastify parses it: a repeated field (the province checkboxes) arrives as a list. */
type Form = Record<string, string | string[] | undefined>;

/** A province's state on the dashboard: its child's status, or `starting` while launched but without a row yet. */
type ProvinceState = ProvinceCampaignStatus | 'starting';
type CampaignState = ProvinceState;

const PROVINCE_STATE_LABELS: Record<ProvinceState, string> = {
  starting: '正在启动',
  ...PROVINCE_CAMPAIGN_STATUS_LABELS,
};

/** The campaign as a whole, derived from its provinces (see campaignState). */
const CAMPAIGN_STATE_LABELS: Record<CampaignState, string> = {
  starting: '正在启动',
  waiting: '等待地方注协启动',
  running: '进行中',
  paused: '已暂停',
  reminding: '会员已处理完毕，等待会员申领',
  completed: '已结束',
  cancelled: '已取消',
};

/** The dashboard's columns, in table order, with their Chinese headings. */
const COUNT_COLUMNS: readonly { key: keyof CampaignCounts; label: string }[] = [
  { key: 'total', label: '会员数' },
  { key: 'processed', label: '已处理' },
  { key: 'inspected', label: '有年检结果' },
  { key: 'reissued', label: '换发' },
  { key: 'invited', label: '邀请申领' },
  { key: 'claimed', label: '已申领' },
  { key: 'failed', label: '年检未通过' },
  { key: 'pending', label: '未年检' },
  { key: 'voided', label: '纸证作废' },
];

const FINAL: readonly ProvinceState[] = ['completed', 'cancelled'];
/** States in which members may still be waiting to be processed: the bar cannot be full yet. */
const PROCESSING: readonly ProvinceState[] = ['starting', 'waiting', 'running'];

/** Rows per page of the follow-up list in the console (the JSON API's default is 20). */
const FOLLOW_UP_PAGE_SIZE = 50;

/**
 * Messages after a redirect, by a fixed key: the query string names the message, it never carries its text, so a
 * crafted link cannot put words on our page.
 */
const FLASH: Record<string, string> = {
  launched: '年检换发已发起：各地方注协按本省开始时间逐批处理会员，本页自动刷新进度。',
  paused: '已发出暂停指令：正在处理的批次完成后暂停。',
  resumed: '已发出继续指令。',
  cancelled: '已发出取消指令：正在处理的批次完成后停止，已处理的会员保持不变。',
  scheduled: '本省换发开始时间已保存。',
};

const ACTION_FLASH = { pause: 'paused', resume: 'resumed', cancel: 'cancelled' } as const;

/** Whole percent of members processed; 100 only once no province can have members left to process. */
export function progressPercent(counts: Pick<CampaignCounts, 'processed' | 'total'>, states: readonly ProvinceState[]) {
  const busy = states.some((s) => PROCESSING.includes(s));
  if (counts.total <= 0) return busy ? 0 : 100;
  const percent = Math.min(100, Math.floor((counts.processed * 100) / counts.total));
  return busy && percent === 100 ? 99 : percent;
}

/** The campaign's state from its provinces' (what the table shows; the workflow's own flag is not stored). */
export function campaignState(states: readonly ProvinceState[]): CampaignState {
  if (states.every((s) => s === 'cancelled')) return 'cancelled';
  if (states.every((s) => FINAL.includes(s))) return 'completed';
  const open = states.filter((s) => !FINAL.includes(s));
  for (const s of ['starting', 'running'] as const) if (open.includes(s)) return s;
  if (open.every((s) => s === 'paused')) return 'paused';
  return open.includes('waiting') ? 'waiting' : 'reminding';
}

/** `YYYY-MM-DDTHH:mm` (a datetime-local input) in Beijing time as an ISO instant; empty = start at once. */
function beijingInput(value: string): string | null | undefined {
  if (value === '') return null;
  return /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$/.test(value) && !Number.isNaN(Date.parse(`${value}:00+08:00`))
    ? `${value}:00+08:00`
    : undefined;
}

function countsOf(value: (key: keyof CampaignCounts) => number): CampaignCounts {
  return Object.fromEntries(COUNT_COLUMNS.map(({ key }) => [key, value(key)])) as Record<keyof CampaignCounts, number>;
}

function one(value: string | string[] | undefined): string {
  return (Array.isArray(value) ? value[0] : value)?.trim() ?? '';
}

function list(value: string | string[] | undefined): string[] {
  return (Array.isArray(value) ? value : value === undefined ? [] : [value]).filter(Boolean);
}

/** A whole number as a number; anything else stays text, so the DTO's own message ("应为整数") names it. */
function whole(value: string): number | string | undefined {
  if (value === '') return undefined;
  return /^\d{1,9}$/.test(value) ? Number(value) : value;
}

/**
 * One message per field: class-validator reports a field's constraints bottom-up, and the DTO declares the basic one
 * (the type) first, so "年度应为整数" comes last and is the one to fix first (not also "不得早于 2021").
 */
function firstToFix(problem: FieldError): FieldError {
  return { field: problem.field, messages: problem.messages.slice(-1) };
}

function yearParam(raw: string): number {
  if (!/^\d{4}$/.test(raw)) throw Errors.notFound(`${raw} 年度的年检换发`);
  return Number(raw);
}

/**
 * The yearly inspection-and-reissue campaign in the console (R19, R11): the list of campaigns with the launch form
 * for national administrators, and each campaign's dashboard, which a small script keeps current by polling the JSON
 * API (`GET /api/campaigns/<year>`); without the script the page is right as of its load. National administrators
 * pause, resume and cancel the whole campaign or one province; a provincial administrator sets their province's own
 * start. Every action goes through CampaignsService (audit event, then the workflow signal), as the JSON API does.
 */
@ApiExcludeController()
@StaffOnly()
@Controller('console/campaigns')
export class ConsoleCampaignsController {
  constructor(
    private readonly campaigns: CampaignsService,
    private readonly followUps: CampaignFollowUpService,
  ) {}

  @Get()
  async index(@CurrentPrincipal() staff: StaffPrincipal, @Res() reply: FastifyReply) {
    return this.renderList(reply, staff, 200, {});
  }

  @StaffOnly('nationalAdmin')
  @Post()
  async launch(@CurrentPrincipal() staff: StaffPrincipal, @Body() form: Form = {}, @Res() reply: FastifyReply) {
    const codes = list(form.provinceCodes);
    const all = one(form.allProvinces) !== '';
    const { value, problems } = await validateFields(LaunchCampaignDto, {
      year: whole(one(form.year)),
      claimDeadline: one(form.claimDeadline),
      reminderEveryDays: whole(one(form.reminderEveryDays)),
      // “全部” launches all 32 (the DTO's default); otherwise the ticked ones, and none ticked is the DTO's error.
      ...(all ? {} : { provinceCodes: codes }),
    });
    const mixed: FieldError[] =
      all && codes.length
        ? [
            {
              field: 'provinceCodes',
              messages: ['已选“全部”时请不要再勾选单个地方注协；只发起部分地方注协请取消“全部”'],
            },
          ]
        : [];
    if (problems.length || mixed.length) {
      return this.renderList(reply, staff, 400, {
        form,
        error: '发起失败：填写的内容有误，请按提示修改后重新提交。',
        fields: fieldMessages([...problems.map(firstToFix), ...mixed]),
      });
    }
    try {
      await this.campaigns.launch(staff, value);
    } catch (error) {
      const problem = pageError(error);
      return this.renderList(reply, staff, problem.status, {
        form,
        error: problem.message,
        fields: problem.fields,
        // 409: that year's campaign exists; the way forward is its dashboard.
        existingYear: problem.status === 409 ? value.year : undefined,
      });
    }
    return reply.redirect(`/console/campaigns/${value.year}?ok=launched`, 303);
  }

  @Get(':year')
  async dashboard(
    @CurrentPrincipal() staff: StaffPrincipal,
    @Param('year') rawYear: string,
    @Query('ok') ok: string | undefined,
    @Res() reply: FastifyReply,
  ) {
    const year = yearParam(rawYear);
    return this.renderDashboard(reply, staff, await this.campaigns.overview(staff, year), 200, {
      ok: ok ? FLASH[ok] : undefined,
    });
  }

  /**
   * The institute's follow-up list (R12): members whose inspection had failed or was missing, not reissued; filter by
   * result (and province, for national staff), pages of 50, a link to each member's timeline and to the CSV (audited,
   * GET /api/campaigns/<year>/follow-up.csv with the same filter). A bad query is the error page with its message.
   */
  @Get(':year/follow-up')
  async followUp(
    @CurrentPrincipal() staff: StaffPrincipal,
    @Param('year') rawYear: string,
    @Query() raw: Form = {},
    @Res() reply: FastifyReply,
  ) {
    const year = yearParam(rawYear);
    // An empty select ("全部") means no filter; anything else the DTO checks, with its Chinese messages.
    const given = Object.fromEntries(
      (['provinceCode', 'inspection', 'page'] as const).map((k) => [k, one(raw[k]) || undefined]).filter(([, v]) => v),
    ) as Record<string, string>;
    const { value, problems } = await validateFields(FollowUpQuery, { ...given, pageSize: FOLLOW_UP_PAGE_SIZE });
    if (problems.length) throw Errors.validation(problems.map(firstToFix));
    const page = await this.followUps.list(staff, year, value);
    const filter = { provinceCode: given.provinceCode, inspection: given.inspection };
    const query = (extra: Record<string, string> = {}) => {
      const params = new URLSearchParams(
        Object.entries({ ...filter, ...extra }).filter((e): e is [string, string] => !!e[1]),
      ).toString();
      return params ? `?${params}` : '';
    };
    return sendStaffPage(reply, staff, 200, 'console/campaign-follow-up.hbs', {
      title: `${year} 年度年检换发 · 待跟进会员`,
      year,
      page,
      items: page.items.map((item) => ({ ...item, href: `/console/members/${item.certificateNo}` })),
      inspections: FOLLOW_UP_INSPECTIONS.map((v) => ({
        value: v,
        label: FOLLOW_UP_LABELS[v],
        selected: v === filter.inspection,
      })),
      // National staff may narrow to one province; provincial staff see their own anyway.
      provinces: staff.provinceCode ? [] : PROVINCES.map((p) => ({ ...p, selected: p.code === filter.provinceCode })),
      filtered: !!(filter.provinceCode || filter.inspection),
      csvHref: `/api/campaigns/${year}/follow-up.csv${query()}`,
      prev: page.page > 1 ? query({ page: String(page.page - 1) }) : undefined,
      next: page.page < page.pages ? query({ page: String(page.page + 1) }) : undefined,
    });
  }

  @StaffOnly('nationalAdmin')
  @Post(':year/pause')
  pause(
    @CurrentPrincipal() staff: StaffPrincipal,
    @Param('year') year: string,
    @Body() form: Form = {},
    @Res() reply: FastifyReply,
  ) {
    return this.control(reply, staff, year, 'pause', form);
  }

  @StaffOnly('nationalAdmin')
  @Post(':year/resume')
  resume(
    @CurrentPrincipal() staff: StaffPrincipal,
    @Param('year') year: string,
    @Body() form: Form = {},
    @Res() reply: FastifyReply,
  ) {
    return this.control(reply, staff, year, 'resume', form);
  }

  @StaffOnly('nationalAdmin')
  @Post(':year/cancel')
  cancel(
    @CurrentPrincipal() staff: StaffPrincipal,
    @Param('year') year: string,
    @Body() form: Form = {},
    @Res() reply: FastifyReply,
  ) {
    return this.control(reply, staff, year, 'cancel', form);
  }

  /** Whole campaign, or the province in `provinceCode`. */
  private async control(
    reply: FastifyReply,
    staff: StaffPrincipal,
    rawYear: string,
    action: 'pause' | 'resume' | 'cancel',
    form: Form,
  ) {
    const year = yearParam(rawYear);
    const overview = await this.campaigns.overview(staff, year);
    const provinceCode = one(form.provinceCode) || undefined;
    const { problems } = await validateFields(CampaignControlDto, { provinceCode });
    try {
      if (problems.length) throw Errors.validation(problems);
      await this.campaigns.control(staff, year, action, provinceCode);
    } catch (error) {
      return this.renderDashboard(reply, staff, overview, ...this.failure(error));
    }
    return reply.redirect(`/console/campaigns/${year}?ok=${ACTION_FLASH[action]}`, 303);
  }

  /** R11: a province's own reissue start, Beijing time; its institute's administrator (or a national one). */
  @StaffOnly('provincialAdmin', 'nationalAdmin')
  @Post(':year/provinces/:provinceCode/schedule')
  async schedule(
    @CurrentPrincipal() staff: StaffPrincipal,
    @Param('year') rawYear: string,
    @Param('provinceCode') provinceCode: string,
    @Body() form: Form = {},
    @Res() reply: FastifyReply,
  ) {
    const year = yearParam(rawYear);
    const overview = await this.campaigns.overview(staff, year);
    const startsAt = beijingInput(one(form.startsAt));
    try {
      if (startsAt === undefined) {
        throw Errors.validation([
          { field: 'startsAt', messages: ['开始时间格式应为 年-月-日 时:分，例如 2025-03-01 09:00'] },
        ]);
      }
      await this.campaigns.schedule(staff, year, provinceCode, startsAt);
    } catch (error) {
      return this.renderDashboard(reply, staff, overview, ...this.failure(error), { scheduleForm: form });
    }
    return reply.redirect(`/console/campaigns/${year}?ok=scheduled`, 303);
  }

  /**
   * A refused action on the dashboard, with its message (a bad field, a campaign that has ended meanwhile); another
   * province's is the plain error page, as for every other page.
   */
  private failure(error: unknown): [number, { error: string; fields: Record<string, string> }] {
    const problem = pageError(error);
    if (problem.status === 403) throw error;
    return [
      problem.status,
      { error: Object.values(problem.fields).join('；') || problem.message, fields: problem.fields },
    ];
  }

  private async renderList(reply: FastifyReply, staff: StaffPrincipal, status: number, view: Record<string, unknown>) {
    const form = (view.form ?? {}) as Form;
    const submitted = view.form !== undefined;
    const ticked = new Set(list(form.provinceCodes));
    const overviews = await this.campaigns.list(staff);
    const estimates = await this.estimates(overviews);
    const campaigns = overviews.map((c) => this.campaignView(c, estimates));
    return sendStaffPage(reply, staff, status, 'console/campaigns.hbs', {
      title: '年检换发',
      campaigns,
      canLaunch: staff.role === 'nationalAdmin',
      launch: {
        year: submitted ? one(form.year) : String(beijingYear()),
        claimDeadline: submitted ? one(form.claimDeadline) : '',
        reminderEveryDays: submitted ? one(form.reminderEveryDays) : '7',
        all: submitted ? one(form.allProvinces) !== '' : true,
        provinces: PROVINCES.map((p) => ({ ...p, checked: ticked.has(p.code) })),
      },
      ...view,
    });
  }

  private async renderDashboard(
    reply: FastifyReply,
    staff: StaffPrincipal,
    overview: CampaignOverview,
    status: number,
    view: Record<string, unknown>,
    extra: Record<string, unknown> = {},
  ) {
    const campaign = this.campaignView(overview, await this.estimates([overview]));
    const own = staff.provinceCode ? campaign.provinces.find((p) => p.provinceCode === staff.provinceCode) : undefined;
    const scheduleForm = extra.scheduleForm as Form | undefined;
    return sendStaffPage(reply, staff, status, 'console/campaign.hbs', {
      title: `${overview.year} 年度年检换发`,
      campaign,
      columns: COUNT_COLUMNS,
      canControl: staff.role === 'nationalAdmin',
      // The own start date matters only until the province starts processing.
      schedule:
        staff.role === 'provincialAdmin' && own && (own.state === 'waiting' || own.state === 'starting')
          ? {
              action: `/console/campaigns/${overview.year}/provinces/${own.provinceCode}/schedule`,
              provinceCode: own.provinceCode,
              value: scheduleForm ? one(scheduleForm.startsAt) : own.startsAtInput,
              current: own.startsAtLabel,
            }
          : undefined,
      labels: JSON.stringify({ provinces: PROVINCE_STATE_LABELS, campaign: CAMPAIGN_STATE_LABELS }),
      ...view,
    });
  }

  /**
   * Current member counts of the provinces that have not started processing (their total is stored when they
   * start), so that the bars count them from the beginning: with provinces starting on their own dates (R11), a bar
   * over the started ones only would be nearly full while most members still wait.
   */
  private async estimates(overviews: readonly CampaignOverview[]): Promise<Map<string, number>> {
    const waiting = overviews.flatMap((o) =>
      o.provinces.filter((p) => p.status === null || (p.total === 0 && !FINAL.includes(p.status))),
    );
    return this.campaigns.activeMembers(waiting.map((p) => p.provinceCode));
  }

  private campaignView(overview: CampaignOverview, estimates: ReadonlyMap<string, number>) {
    const provinces = overview.provinces.map((row) => {
      const stored = row.status === null ? null : row;
      const state: ProvinceState = stored?.status ?? 'starting';
      const startsAt = stored?.startsAt ?? null;
      const counts = countsOf((key) => stored?.[key] ?? 0);
      const estimated = counts.total === 0 && !FINAL.includes(state) ? (estimates.get(row.provinceCode) ?? 0) : null;
      const members = estimated ?? counts.total;
      return {
        provinceCode: row.provinceCode,
        name: findProvince(row.provinceCode)?.name ?? row.provinceCode,
        state,
        stateLabel: PROVINCE_STATE_LABELS[state],
        final: FINAL.includes(state),
        startsAtLabel: startsAt ? beijingTime(startsAt) : '立即开始',
        startsAtInput: startsAt ? beijingTime(startsAt).replace(' ', 'T') : '',
        counts: COUNT_COLUMNS.map(({ key }) => ({
          key,
          value: counts[key],
          text: key === 'total' && estimated !== null ? `约 ${estimated}` : String(counts[key]),
        })),
        /** The total is an estimate (not started yet); `estimated` may be 0, which Handlebars' #if reads as false. */
        isEstimate: estimated !== null,
        estimated,
        members,
        processed: counts.processed,
        percent: progressPercent({ processed: counts.processed, total: members }, [state]),
      };
    });
    const states = provinces.map((p) => p.state);
    const totals = countsOf((key) => provinces.reduce((sum, p) => sum + p.counts.find((c) => c.key === key)!.value, 0));
    const members = provinces.reduce((sum, p) => sum + p.members, 0);
    const estimated = provinces.some((p) => p.estimated !== null);
    const state = campaignState(states);
    return {
      year: overview.year,
      workflowId: overview.workflowId,
      href: `/console/campaigns/${overview.year}`,
      launchedAtLabel: overview.launch ? beijingTime(overview.launch.launchedAt) : '',
      launchedBy: overview.launch?.launchedBy ?? '',
      claimDeadline: overview.launch?.claimDeadline ?? '',
      reminderEveryDays: overview.launch?.reminderEveryDays,
      provinceCount: overview.provinceCount,
      provinces,
      totals: COUNT_COLUMNS.map(({ key }) => ({
        key,
        value: key === 'total' ? members : totals[key],
        text: key === 'total' && estimated ? `约 ${members}` : String(key === 'total' ? members : totals[key]),
      })),
      processed: totals.processed,
      members,
      estimated,
      percent: progressPercent({ processed: totals.processed, total: members }, states),
      state,
      stateLabel: CAMPAIGN_STATE_LABELS[state],
      final: FINAL.includes(state),
    };
  }
}
