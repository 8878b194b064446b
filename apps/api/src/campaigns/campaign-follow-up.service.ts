import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { createHash } from 'node:crypto';
import { DataSource } from 'typeorm';
import { maskMobile } from '@app/domain/masking';
import { findProvince } from '@app/domain/provinces';
import { appendAudit, type InspectionResult } from '@app/persistence';
import { workflowIds } from '@app/temporal/names';
import { scopeProvinceFilter } from '../auth/province-scope';
import { pageOf, type Page } from '../common/pagination';
import type { StaffPrincipal } from '../common/principal';
import { RESULT_LABELS } from '../inspections/inspections.service';
import { CampaignsService } from './campaigns.service';
import { csvFile, numberAsText, textCell } from './csv';
import {
  FOLLOW_UP_INSPECTIONS,
  type FollowUpFilter,
  type FollowUpInspection,
  type FollowUpQuery,
} from './follow-up.dto';

export const FOLLOW_UP_LABELS: Record<FollowUpInspection, string> = { failed: '年检未通过', missing: '未年检' };

/** One member on the follow-up list, as staff of their institute see it in a list (mobile masked). */
export interface FollowUpItem {
  certificateNo: string;
  name: string;
  provinceCode: string;
  instituteName: string;
  /** The inspection as the campaign found it when it processed the member (why they were not reissued). */
  inspection: FollowUpInspection;
  inspectionLabel: string;
  /**
   * The campaign year's result on file now: the institute's follow-up (a result uploaded after processing) shows here,
   * the member stays on the list because the campaign decided on what it found.
   */
  currentResult: InspectionResult | null;
  currentResultLabel: string | null;
  mobile: string;
}

export interface FollowUpFile {
  readonly filename: string;
  /** ASCII fallback for clients that ignore `filename*`. */
  readonly asciiFilename: string;
  readonly data: Buffer;
  readonly rows: number;
}

interface Row {
  certificate_no: string;
  name: string;
  province_code: string;
  mobile: string;
  inspection: FollowUpInspection;
  current_result: InspectionResult | null;
}

const CSV_HEADER = ['证书编号', '姓名', '地方注协', '换发时年检情况', '本年度年检结果（当前）', '手机（部分隐藏）'];

/**
 * The institute's follow-up list of a campaign (R12): members whose inspection for the campaign year had failed or was
 * missing when the campaign processed them; they were not reissued (`campaign_members.inspection`). Scoped by the
 * member's current province, not the one that processed them: a member who transferred since is the new institute's to
 * follow up (as inspection uploads are), and the list links to the timeline, which the same scope guards.
 */
@Injectable()
export class CampaignFollowUpService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly campaigns: CampaignsService,
  ) {}

  /** One page, ordered by certificate number. Not audited, like the member list: it shows masked mobiles only. */
  async list(staff: StaffPrincipal, year: number, query: FollowUpQuery): Promise<Page<FollowUpItem>> {
    const where = await this.where(staff, year, query);
    const [{ total }]: { total: number }[] = await this.dataSource.query(
      `SELECT count(*)::int AS total ${where.sql}`,
      where.params,
    );
    const rows: Row[] = await this.dataSource.query(
      `${SELECT} ${where.sql} ORDER BY m.certificate_no LIMIT $${where.params.length + 1} OFFSET $${where.params.length + 2}`,
      [...where.params, query.pageSize, (query.page - 1) * query.pageSize],
    );
    return pageOf(rows.map(itemOf), total, query);
  }

  /**
   * The whole list as a CSV file for Excel. It exports personal data, so every download is audited (who, which
   * filter, which members, the file's SHA-256) in the same transaction that reads the rows; no audit event, no file.
   * (READ COMMITTED: appendAudit requires it, and it takes the chain's lock only after the rows are read.)
   */
  async csv(staff: StaffPrincipal, year: number, filter: FollowUpFilter): Promise<FollowUpFile> {
    const where = await this.where(staff, year, filter);
    const province = where.provinceCode ? findProvince(where.provinceCode) : undefined;
    return this.dataSource.transaction(async (manager) => {
      const rows: Row[] = await manager.query(`${SELECT} ${where.sql} ORDER BY m.certificate_no`, where.params);
      const items = rows.map(itemOf);
      const data = csvFile(
        CSV_HEADER,
        items.map((i) => [
          numberAsText(i.certificateNo),
          textCell(i.name),
          i.instituteName,
          i.inspectionLabel,
          i.currentResultLabel ?? '无',
          textCell(i.mobile),
        ]),
      );
      await appendAudit(manager, {
        actorType: 'staff',
        actorId: staff.id,
        actorLabel: staff.username,
        action: 'campaign.followUp.download',
        subjectType: 'campaign',
        subjectId: workflowIds.campaign(year),
        provinceCode: where.provinceCode ?? null,
        detail: {
          year,
          provinceCode: where.provinceCode ?? null,
          inspection: where.inspections,
          rows: items.length,
          // "Who saw what" (R2, PIPL): the members in the file, and the file itself by its digest.
          certificateNos: items.map((i) => i.certificateNo),
          fields: ['certificateNo', 'name', 'institute', 'inspection', 'mobile(masked)'],
          sha256: createHash('sha256').update(data).digest('hex'),
        },
      });
      const which = where.inspections.length === 1 ? `-${FOLLOW_UP_LABELS[where.inspections[0]]}` : '';
      return {
        filename: `${year}年度年检换发待跟进会员-${province?.name ?? '全部地方注协'}${which}.csv`,
        asciiFilename: `follow-up-${year}-${where.provinceCode ?? 'all'}${which ? `-${where.inspections[0]}` : ''}.csv`,
        data,
        rows: items.length,
      };
    });
  }

  /**
   * The list's FROM/WHERE for the caller: province scope first (another province is a 403, never a narrowed list),
   * then the campaign must exist and include the caller's province (404 otherwise, as its dashboard).
   */
  private async where(staff: StaffPrincipal, year: number, filter: FollowUpFilter) {
    const provinceCode = scopeProvinceFilter(staff, filter.provinceCode);
    await this.campaigns.overview(staff, year);
    const inspections: FollowUpInspection[] = filter.inspection ? [filter.inspection] : [...FOLLOW_UP_INSPECTIONS];
    const params: unknown[] = [year, inspections];
    let sql = `FROM campaign_members cm
      JOIN members m ON m.id = cm.member_id
      LEFT JOIN inspections i ON i.member_id = cm.member_id AND i.year = cm.campaign_year
     WHERE cm.campaign_year = $1 AND cm.inspection = ANY($2::text[])`;
    if (provinceCode) {
      params.push(provinceCode);
      sql += ` AND m.province_code = $${params.length}::char(2)`;
    }
    return { sql, params, provinceCode, inspections };
  }
}

const SELECT = `SELECT m.certificate_no, m.name, m.province_code, m.mobile, cm.inspection, i.result AS current_result`;

function itemOf(row: Row): FollowUpItem {
  return {
    certificateNo: row.certificate_no,
    name: row.name,
    provinceCode: row.province_code,
    instituteName: findProvince(row.province_code)?.instituteName ?? row.province_code,
    inspection: row.inspection,
    inspectionLabel: FOLLOW_UP_LABELS[row.inspection],
    currentResult: row.current_result,
    currentResultLabel: row.current_result ? RESULT_LABELS[row.current_result] : null,
    mobile: maskMobile(row.mobile ?? ''),
  };
}
