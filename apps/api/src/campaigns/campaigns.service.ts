import { HttpStatus, Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Client, WorkflowExecutionAlreadyStartedError, WorkflowNotFoundError } from '@temporalio/client';
import { DataSource } from 'typeorm';
import { APP_CONFIG, type AppConfig } from '@app/config';
import { PROVINCES } from '@app/domain/provinces';
import { appendAudit, CampaignProvince } from '@app/persistence';
import { SEARCH_ATTRIBUTES, TASK_QUEUES, workflowIds } from '@app/temporal/names';
import type { inspectionCampaign } from '@app/workflows/inspection-campaign/inspection-campaign.workflow';
import {
  cancelSignal,
  NATIONAL_PROVINCE_VALUE,
  pauseSignal,
  resumeSignal,
  scheduleChangedSignal,
} from '@app/workflows/inspection-campaign/inspection-campaign.messages';
import { assertProvinceAccess } from '../auth/province-scope';
import { AppException, Errors } from '../common/app-exception';
import type { StaffPrincipal } from '../common/principal';
import type { LaunchCampaignDto } from './launch-campaign.dto';

/** How a campaign was launched, from its audit event. */
export interface CampaignLaunch {
  readonly launchedAt: Date;
  /** The national administrator's user name. */
  readonly launchedBy: string;
  readonly provinceCodes: readonly string[];
  readonly claimDeadline: string;
  readonly reminderEveryDays: number;
}

/** A campaign as the console shows it: its launch (if recorded) and the rows of the provinces the caller may see. */
export interface CampaignOverview {
  readonly year: number;
  readonly workflowId: string;
  readonly launch: CampaignLaunch | null;
  /** Provinces in the whole campaign (also those the caller does not see); null when that is not known. */
  readonly provinceCount: number | null;
  /** `status: null`: launched, no progress row yet. */
  readonly provinces: readonly (CampaignProvince | { readonly provinceCode: string; readonly status: null })[];
}

/** Launching the yearly inspection-and-reissue campaign and reading its progress (R19). */
@Injectable()
export class CampaignsService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly temporal: Client,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /**
   * Starts `campaign-<year>` with its audit event in one transaction. One campaign per year, ever: the id reuse
   * policy refuses a second launch also after the first has finished or was cancelled.
   */
  async launch(staff: StaffPrincipal, dto: LaunchCampaignDto) {
    const provinceCodes = [...new Set(dto.provinceCodes ?? PROVINCES.map((p) => p.code))].sort();
    const workflowId = workflowIds.campaign(dto.year);
    const reminderEverySeconds = (dto.reminderEveryDays ?? 7) * 86_400;
    await this.dataSource.transaction(async (manager) => {
      await appendAudit(manager, {
        actorType: 'staff',
        actorId: staff.id,
        actorLabel: staff.username,
        action: 'campaign.launch',
        subjectType: 'campaign',
        subjectId: workflowId,
        provinceCode: null,
        detail: { year: dto.year, provinceCodes, claimDeadline: dto.claimDeadline, reminderEverySeconds },
      });
      try {
        await this.temporal.workflow.start<typeof inspectionCampaign>('inspectionCampaign', {
          taskQueue: TASK_QUEUES.registry,
          workflowId,
          args: [
            {
              year: dto.year,
              provinceCodes,
              claimDeadline: dto.claimDeadline,
              reminderEverySeconds,
              launchedBy: { actorId: staff.id, actorLabel: staff.username },
              pageSize: this.config.campaign.pageSize,
            },
          ],
          workflowIdReusePolicy: 'REJECT_DUPLICATE',
          typedSearchAttributes: [
            { key: SEARCH_ATTRIBUTES.campaignYear, value: dto.year },
            { key: SEARCH_ATTRIBUTES.province, value: NATIONAL_PROVINCE_VALUE },
            { key: SEARCH_ATTRIBUTES.stage, value: 'running' },
          ],
          staticSummary: `${dto.year} 年度年检换发（${provinceCodes.length} 个地方注协，截止 ${dto.claimDeadline}）`,
        });
      } catch (error) {
        if (error instanceof WorkflowExecutionAlreadyStartedError) {
          throw new AppException(
            'CAMPAIGN_EXISTS',
            `${dto.year} 年度的年检换发已经发起过，不能重复发起。`,
            HttpStatus.CONFLICT,
          );
        }
        throw error;
      }
    });
    return { year: dto.year, workflowId, provinceCodes };
  }

  /** The dashboard rows (campaign_provinces); provincial staff see their own province only. */
  async progress(staff: StaffPrincipal, year: number) {
    const rows = await this.dataSource.getRepository(CampaignProvince).find({
      where: staff.provinceCode ? { campaignYear: year, provinceCode: staff.provinceCode } : { campaignYear: year },
      order: { provinceCode: 'ASC' },
    });
    if (rows.length === 0) throw Errors.notFound(`${year} 年度的年检换发进度`);
    return { year, workflowId: workflowIds.campaign(year), provinces: rows };
  }

  /**
   * Every campaign the caller may see, newest year first: the launched ones (their `campaign.launch` audit events,
   * there before any province has started) and any year with progress rows. Provincial staff see the campaigns that
   * include their province, and only their own province's row.
   */
  async list(staff: StaffPrincipal): Promise<CampaignOverview[]> {
    const launches = await this.launches();
    const rows = await this.dataSource.getRepository(CampaignProvince).find({
      where: staff.provinceCode ? { provinceCode: staff.provinceCode } : {},
      order: { campaignYear: 'DESC', provinceCode: 'ASC' },
    });
    const years = [...new Set([...launches.keys(), ...rows.map((r) => r.campaignYear)])].sort((a, b) => b - a);
    return years
      .map((year) =>
        this.overviewOf(
          staff,
          year,
          launches.get(year),
          rows.filter((r) => r.campaignYear === year),
        ),
      )
      .filter((c): c is CampaignOverview => c !== null);
  }

  /** One campaign for its dashboard; not found when it does not exist or does not include the caller's province. */
  async overview(staff: StaffPrincipal, year: number): Promise<CampaignOverview> {
    const launch = (await this.launches(year)).get(year);
    const rows = await this.dataSource.getRepository(CampaignProvince).find({
      where: staff.provinceCode ? { campaignYear: year, provinceCode: staff.provinceCode } : { campaignYear: year },
      order: { provinceCode: 'ASC' },
    });
    const found = this.overviewOf(staff, year, launch, rows);
    if (!found) throw Errors.notFound(`${year} 年度的年检换发`);
    return found;
  }

  private overviewOf(
    staff: StaffPrincipal,
    year: number,
    launch: CampaignLaunch | undefined,
    rows: CampaignProvince[],
  ): CampaignOverview | null {
    const launched = launch?.provinceCodes ?? [];
    const codes = [...new Set([...launched, ...rows.map((r) => r.provinceCode)])]
      .filter((code) => !staff.provinceCode || code === staff.provinceCode)
      .sort();
    if (codes.length === 0) return null;
    return {
      year,
      workflowId: workflowIds.campaign(year),
      launch: launch ?? null,
      // Without the launch event, provincial staff cannot know how many provinces take part (they see their own row).
      provinceCount: launch ? launched.length : staff.provinceCode ? null : codes.length,
      // A province without a row yet: launched, its child not started (or not yet at its first activity).
      provinces: codes.map((code) => rows.find((r) => r.provinceCode === code) ?? { provinceCode: code, status: null }),
    };
  }

  /**
   * Active members per province now: what a province that has not started processing yet will count as its total
   * (stored when it starts), so that an overall bar is not near full while provinces still wait for their start.
   */
  async activeMembers(provinceCodes: readonly string[]): Promise<Map<string, number>> {
    if (provinceCodes.length === 0) return new Map();
    const rows: { province_code: string; n: number }[] = await this.dataSource.query(
      `SELECT province_code, count(*)::int AS n FROM members
        WHERE status = 'active' AND province_code = ANY($1::char(2)[])
        GROUP BY province_code`,
      [[...new Set(provinceCodes)]],
    );
    return new Map(rows.map((r) => [r.province_code, r.n]));
  }

  /** The `campaign.launch` audit events by year (one per year: a second launch is refused and rolled back). */
  private async launches(year?: number): Promise<Map<number, CampaignLaunch>> {
    const events: {
      occurred_at: Date;
      actor_label: string;
      detail: { year: number; provinceCodes: string[]; claimDeadline: string; reminderEverySeconds: number };
    }[] = await this.dataSource.query(
      `SELECT occurred_at, actor_label, detail FROM audit_events
        WHERE subject_type = 'campaign' AND action = 'campaign.launch' AND ($1::text IS NULL OR subject_id = $1)
        ORDER BY id`,
      [year === undefined ? null : workflowIds.campaign(year)],
    );
    return new Map(
      events.map((e) => [
        e.detail.year,
        {
          launchedAt: e.occurred_at,
          launchedBy: e.actor_label,
          provinceCodes: e.detail.provinceCodes,
          claimDeadline: e.detail.claimDeadline,
          reminderEveryDays: Math.round(e.detail.reminderEverySeconds / 86_400),
        },
      ]),
    );
  }

  /** Pause, resume or cancel the whole campaign or one province (national administrators), audited, then signalled. */
  async control(staff: StaffPrincipal, year: number, action: 'pause' | 'resume' | 'cancel', provinceCode?: string) {
    const signal = { pause: pauseSignal, resume: resumeSignal, cancel: cancelSignal }[action];
    await this.signalAudited(staff, year, `campaign.${action}`, provinceCode ?? null, { provinceCode }, (handle) =>
      handle.signal(signal, provinceCode === undefined ? {} : { provinceCode }),
    );
    return { year, action, provinceCode: provinceCode ?? null };
  }

  /** A province's own reissue start (R11): its institute's administrator or a national administrator. */
  async schedule(staff: StaffPrincipal, year: number, provinceCode: string, startsAt: string | null) {
    assertProvinceAccess(staff, provinceCode);
    await this.signalAudited(staff, year, 'campaign.schedule', provinceCode, { provinceCode, startsAt }, (handle) =>
      handle.signal(scheduleChangedSignal, { provinceCode, startsAt }),
    );
    return { year, provinceCode, startsAt };
  }

  private async signalAudited(
    staff: StaffPrincipal,
    year: number,
    action: string,
    provinceCode: string | null,
    detail: Record<string, unknown>,
    send: (handle: ReturnType<Client['workflow']['getHandle']>) => Promise<void>,
  ) {
    const workflowId = workflowIds.campaign(year);
    await this.dataSource.transaction(async (manager) => {
      await appendAudit(manager, {
        actorType: 'staff',
        actorId: staff.id,
        actorLabel: staff.username,
        action,
        subjectType: 'campaign',
        subjectId: workflowId,
        provinceCode,
        detail: { year, ...detail },
      });
      try {
        await send(this.temporal.workflow.getHandle(workflowId));
      } catch (error) {
        // Not found, or already closed: nothing to act on (and the audit event is rolled back).
        if (error instanceof WorkflowNotFoundError) throw Errors.notFound(`正在进行的 ${year} 年度年检换发`);
        throw error;
      }
    });
  }
}
