import { HttpStatus, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Client, WorkflowExecutionAlreadyStartedError, WorkflowNotFoundError } from '@temporalio/client';
import { DataSource } from 'typeorm';
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

/** Launching the yearly inspection-and-reissue campaign and reading its progress (R19). */
@Injectable()
export class CampaignsService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly temporal: Client,
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
