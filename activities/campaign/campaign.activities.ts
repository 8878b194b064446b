/**
 * Activities of the inspection-and-reissue campaign (R11, R12, R14, R19) on the `registry` queue. Every member-level
 * step is set-based SQL over a page of members (never one activity per member), and every step is safe to repeat:
 *
 * - a page inserts its members into `campaign_members` (primary key (campaign_year, member_id)) with
 *   `ON CONFLICT DO NOTHING`; only the rows actually inserted get a reissue, an invitation and counter increments,
 *   all in the page's transaction. A page run twice (a retried activity, a crashed worker) changes nothing.
 * - invitations and reminders go through the outbox with dedupe keys `campaign:<year>:<certificateNo>:invite` and
 *   `…:remind:<step>`.
 * - the deadline's void only touches paper certificates still `valid`.
 */
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Context } from '@temporalio/activity';
import { DataSource, type EntityManager } from 'typeorm';
import { findProvince } from '@app/domain/provinces';
import { appendAudit, rowsOf } from '@app/persistence';
import { workflowIds } from '@app/temporal/names';
import { enqueue, type OutboxMessage } from '../notifications/outbox';
import {
  deadlineInstant,
  type CampaignCounts,
  type PendingReissue,
  type ProvinceCampaignStatus,
} from '../../workflows/inspection-campaign/inspection-campaign.messages';

export interface ProvinceKey {
  readonly year: number;
  readonly provinceCode: string;
}

export interface ProcessBatchInput extends ProvinceKey {
  /** Last member id already processed; null = from the start. */
  readonly cursor: string | null;
  /** For the invitation text. */
  readonly claimDeadline: string;
  readonly pageSize: number;
  readonly pages: number;
}

export interface ProcessBatchResult {
  readonly cursor: string | null;
  /** True when the last page was not full: every member of the province has been seen. */
  readonly done: boolean;
  readonly counts: CampaignCounts;
}

interface MemberRow {
  id: string;
  certificate_no: string;
  name: string;
  email: string;
  mobile: string;
}

/** The same notice by mail and by SMS (R14), each with its own dedupe key. */
function bothChannels(
  m: MemberRow,
  template: 'campaign-invite' | 'campaign-reminder',
  vars: Record<string, unknown>,
  dedupeKey: string,
): OutboxMessage[] {
  return [
    { channel: 'mail', recipient: m.email, memberId: m.id, template: `${template}.mail`, vars, dedupeKey },
    {
      channel: 'sms',
      recipient: m.mobile,
      memberId: m.id,
      template: `${template}.sms`,
      vars,
      dedupeKey: `${dedupeKey}:sms`,
    },
  ];
}

/** Pre-2021 members (R11): approved before the e-certificate existed, so they hold a paper certificate. */
const E_CERTIFICATE_START = '2021-01-01';
const REMINDER_CHUNK = 500;

const COUNT_COLUMNS = `total, processed, inspected, reissued, invited, claimed, failed, pending, voided`;

@Injectable()
export class CampaignActivities {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** Creates the province's progress row once (status `waiting`); a second call only updates the start date. */
  async openProvince(input: ProvinceKey & { startsAt: string | null }): Promise<CampaignCounts> {
    await this.dataSource.query(
      `INSERT INTO campaign_provinces (campaign_year, province_code, status, starts_at, workflow_id)
       VALUES ($1, $2, 'waiting', $3, $4)
       ON CONFLICT (campaign_year, province_code) DO UPDATE SET starts_at = EXCLUDED.starts_at, updated_at = now()`,
      [input.year, input.provinceCode, input.startsAt, workflowIds.provinceCampaign(input.year, input.provinceCode)],
    );
    return this.counts(this.dataSource.manager, input);
  }

  /** Records a status change (and the start date, when given) for the dashboards. */
  async setProvinceStatus(
    input: ProvinceKey & { status: ProvinceCampaignStatus; startsAt?: string | null },
  ): Promise<CampaignCounts> {
    await this.dataSource.query(
      `UPDATE campaign_provinces
          SET status = $3, starts_at = CASE WHEN $4::boolean THEN $5::timestamptz ELSE starts_at END, updated_at = now()
        WHERE campaign_year = $1 AND province_code = $2`,
      [input.year, input.provinceCode, input.status, input.startsAt !== undefined, input.startsAt ?? null],
    );
    return this.counts(this.dataSource.manager, input);
  }

  /** Processing starts: status `running`, total = the province's active members now. */
  async beginProcessing(input: ProvinceKey): Promise<CampaignCounts> {
    await this.dataSource.query(
      `UPDATE campaign_provinces
          SET status = 'running', updated_at = now(),
              total = (SELECT count(*) FROM members WHERE province_code = $2 AND status = 'active')
        WHERE campaign_year = $1 AND province_code = $2`,
      [input.year, input.provinceCode],
    );
    return this.counts(this.dataSource.manager, input);
  }

  /**
   * Up to `pages` pages of `pageSize` members (ordered by id, after `cursor`), one transaction per page. After each
   * page the cursor is heartbeaten; a retried attempt starts from the last heartbeaten cursor, so a crash costs at
   * most one page of repeated (and harmless) work.
   */
  async processBatch(input: ProcessBatchInput): Promise<ProcessBatchResult> {
    const context = Context.current();
    const resumed = context.info.heartbeatDetails as string | null | undefined;
    let cursor = resumed !== undefined ? resumed : input.cursor;
    let done = false;
    for (let page = 0; page < input.pages && !done; page++) {
      const seen = await this.dataSource.transaction((manager) => this.processPage(manager, input, cursor));
      if (seen.last !== null) cursor = seen.last;
      done = seen.count < input.pageSize;
      context.heartbeat(cursor);
    }
    if (done) await this.sweep(input, cursor);
    return { cursor, done, counts: await this.counts(this.dataSource.manager, input) };
  }

  /**
   * Members admitted (or transferred in) while the province was being paged get ids anywhere in the order, also
   * behind the cursor; the pass over the cursor would miss them. After the last page, the members the campaign has
   * not seen yet are processed the same way, page by page, until none is left. Usually empty, so one cheap query.
   */
  private async sweep(input: ProcessBatchInput, cursor: string | null): Promise<void> {
    for (;;) {
      const missed = await this.dataSource.transaction((manager) => this.processPage(manager, input, null, true));
      if (missed.count < input.pageSize) return;
      // Still the last cursor: a retry finds the pass over the cursor finished and sweeps again.
      Context.current().heartbeat(cursor);
    }
  }

  /** One page in one transaction; exported through processBatch only. */
  private async processPage(
    manager: EntityManager,
    input: ProcessBatchInput,
    cursor: string | null,
    unseenOnly = false,
  ): Promise<{ count: number; last: string | null }> {
    const { year, provinceCode, pageSize } = input;
    const page: { id: string }[] = unseenOnly
      ? await manager.query(
          `SELECT m.id FROM members m
            WHERE m.province_code = $1 AND m.status = 'active'
              AND NOT EXISTS (SELECT 1 FROM campaign_members cm WHERE cm.campaign_year = $2 AND cm.member_id = m.id)
            ORDER BY m.id LIMIT $3`,
          [provinceCode, year, pageSize],
        )
      : await manager.query(
          `SELECT id FROM members
            WHERE province_code = $1 AND status = 'active' AND ($2::uuid IS NULL OR id > $2::uuid)
            ORDER BY id LIMIT $3`,
          [provinceCode, cursor, pageSize],
        );
    if (page.length === 0) return { count: 0, last: null };
    const ids = page.map((r) => r.id);

    // Processed exactly once: only the rows inserted now are acted on below.
    const fresh: { member_id: string; inspection: string }[] = await manager.query(
      `INSERT INTO campaign_members (campaign_year, member_id, province_code, inspection)
       SELECT $1, p.id, $2, COALESCE(i.result, 'missing')
         FROM unnest($3::uuid[]) AS p(id)
         LEFT JOIN inspections i ON i.member_id = p.id AND i.year = $1
       ON CONFLICT (campaign_year, member_id) DO NOTHING
       RETURNING member_id, inspection`,
      [year, provinceCode, ids],
    );
    if (fresh.length === 0) return { count: page.length, last: ids[ids.length - 1] };
    const freshIds = fresh.map((r) => r.member_id);

    // Passed + an active e-certificate → a new version (reason `reissue`), pending until rendered. Its snapshot is
    // the active version's with the new inspection date; certificateIssuance of the same version number renders it
    // (loadIssuanceSnapshot returns the frozen snapshot, createVersion finds the row).
    const reissued = rowsOf<{ member_id: string }>(
      await manager.query(
        `WITH src AS (
         SELECT m.id AS member_id, c.certificate_no, c.snapshot, i.passed_on,
                (SELECT max(x.version) FROM certificates x WHERE x.certificate_no = c.certificate_no) + 1 AS version
           FROM unnest($2::uuid[]) AS f(id)
           JOIN members m ON m.id = f.id
           JOIN certificates c ON c.certificate_no = m.certificate_no AND c.status = 'active'
           JOIN inspections i ON i.member_id = m.id AND i.year = $1 AND i.result = 'passed'
       ), ins AS (
         INSERT INTO certificates (certificate_no, version, status, reason, snapshot, workflow_id)
         SELECT certificate_no, version, 'pending', 'reissue',
                snapshot || jsonb_build_object(
                  'version', version,
                  'latestInspection', CASE WHEN passed_on IS NULL THEN snapshot -> 'latestInspection'
                    ELSE jsonb_build_object('year', $1::int, 'passedOn', to_char(passed_on, 'YYYY-MM-DD')) END,
                  'issuedOn', to_char(now() AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM-DD'),
                  'campaign', jsonb_build_object('year', $1::int, 'workflowId', $3::text)),
                'certificate-' || certificate_no || '-v' || version
           FROM src
         RETURNING certificate_no, version
       )
       UPDATE campaign_members cm SET reissue_version = ins.version
         FROM ins JOIN src ON src.certificate_no = ins.certificate_no
        WHERE cm.campaign_year = $1 AND cm.member_id = src.member_id
       RETURNING cm.member_id`,
        [year, freshIds, workflowIds.provinceCampaign(year, provinceCode)],
      ),
    );

    // Approved before 2021 and no e-certificate (active, or one being issued) → invited to claim it.
    const invited = rowsOf<MemberRow>(
      await manager.query(
        `UPDATE campaign_members cm SET invited = true
         FROM members m
        WHERE cm.campaign_year = $1 AND cm.member_id = ANY($2::uuid[]) AND m.id = cm.member_id
          AND m.joined_on < $3::date
          AND NOT EXISTS (SELECT 1 FROM certificates c
                           WHERE c.certificate_no = m.certificate_no AND c.status IN ('active', 'pending'))
       RETURNING m.id, m.certificate_no, m.name, m.email, m.mobile`,
        [year, freshIds, E_CERTIFICATE_START],
      ),
    );
    const deadline = deadlineLabel(input.claimDeadline);
    await enqueue(
      manager,
      invited.flatMap((m) =>
        bothChannels(
          m,
          'campaign-invite',
          { name: m.name, certificateNo: m.certificate_no, deadline, instituteName: instituteName(provinceCode) },
          `campaign:${year}:${m.certificate_no}:invite`,
        ),
      ),
    );

    const by = (result: string) => fresh.filter((r) => r.inspection === result).length;
    await manager.query(
      `UPDATE campaign_provinces
          SET processed = processed + $3, total = GREATEST(total, processed + $3), inspected = inspected + $4, failed = failed + $5, pending = pending + $6,
              reissued = reissued + $7, invited = invited + $8, updated_at = now()
        WHERE campaign_year = $1 AND province_code = $2`,
      [
        year,
        provinceCode,
        fresh.length,
        fresh.length - by('missing'),
        by('failed'),
        by('missing'),
        reissued.length,
        invited.length,
      ],
    );
    return { count: page.length, last: ids[ids.length - 1] };
  }

  /**
   * Pending versions this campaign created (reason `reissue`, snapshot marked with the campaign year), in a stable
   * order, leaving out the ones the renderer has in flight or gave up on. Uses the partial index on pending rows.
   */
  async listPendingReissues(input: {
    year: number;
    exclude: readonly string[];
    limit: number;
  }): Promise<PendingReissue[]> {
    const rows: { certificate_no: string; version: number }[] = await this.dataSource.query(
      `SELECT certificate_no, version FROM certificates
        WHERE status = 'pending' AND reason = 'reissue' AND (snapshot -> 'campaign' ->> 'year')::int = $1
          AND NOT (certificate_no || '-v' || version = ANY($2::text[]))
        ORDER BY certificate_no, version LIMIT $3`,
      [input.year, input.exclude, input.limit],
    );
    return rows.map((r) => ({ certificateNo: r.certificate_no, version: r.version }));
  }

  /**
   * One reminder step: members who have claimed since are marked (and counted), the others get reminder `step`
   * (dedupe key per step), in chunks of 500 with a heartbeat each.
   */
  async sendReminders(
    input: ProvinceKey & { step: number; claimDeadline: string },
  ): Promise<CampaignCounts & { reminded: number }> {
    const context = Context.current();
    await this.markClaimed(input);
    let cursor: string | null = null;
    let reminded = 0;
    for (;;) {
      const after: string | null = cursor;
      const sent: number | null = await this.dataSource.transaction(async (manager) => {
        const rows = rowsOf<MemberRow>(
          await manager.query(
            `UPDATE campaign_members cm SET reminders = $3
             FROM members m
            WHERE m.id = cm.member_id AND cm.member_id IN (
                  SELECT member_id FROM campaign_members
                   WHERE campaign_year = $1 AND province_code = $2 AND invited AND claimed_at IS NULL
                     AND ($4::uuid IS NULL OR member_id > $4::uuid)
                   ORDER BY member_id LIMIT $5)
              AND cm.campaign_year = $1
           RETURNING m.id, m.certificate_no, m.name, m.email, m.mobile`,
            [input.year, input.provinceCode, input.step, after, REMINDER_CHUNK],
          ),
        );
        if (rows.length === 0) return null;
        const deadline = deadlineLabel(input.claimDeadline);
        await enqueue(
          manager,
          rows.flatMap((m) =>
            bothChannels(
              m,
              'campaign-reminder',
              {
                name: m.name,
                certificateNo: m.certificate_no,
                deadline,
                step: input.step,
                instituteName: instituteName(input.provinceCode),
              },
              `campaign:${input.year}:${m.certificate_no}:remind:${input.step}`,
            ),
          ),
        );
        cursor = rows.map((r) => r.id).sort()[rows.length - 1];
        return rows.length;
      });
      if (sent === null) break;
      reminded += sent;
      context.heartbeat(cursor);
      if (sent < REMINDER_CHUNK) break;
    }
    return { ...(await this.counts(this.dataSource.manager, input)), reminded };
  }

  /**
   * At the claim deadline: every processed member's paper certificate that is still valid becomes void (R11), one
   * statement, with an audit event; the province is `completed`.
   */
  async voidPaperCertificates(input: ProvinceKey): Promise<CampaignCounts> {
    await this.markClaimed(input);
    await this.dataSource.transaction(async (manager) => {
      // The row lock serialises retries; a province already completed is left as it is (no second audit event).
      const [row]: { status: string }[] = await manager.query(
        `SELECT status FROM campaign_provinces WHERE campaign_year = $1 AND province_code = $2 FOR UPDATE`,
        [input.year, input.provinceCode],
      );
      if (!row || row.status === 'completed') return;
      const voided = rowsOf(
        await manager.query(
          `WITH v AS (
           UPDATE members m SET paper_certificate = 'void', updated_at = now()
             FROM campaign_members cm
            WHERE cm.campaign_year = $1 AND cm.province_code = $2 AND cm.member_id = m.id
              AND m.paper_certificate = 'valid'
           RETURNING m.id)
         UPDATE campaign_members cm SET paper_voided_at = now() FROM v
          WHERE cm.campaign_year = $1 AND cm.member_id = v.id
         RETURNING cm.member_id`,
          [input.year, input.provinceCode],
        ),
      );
      await manager.query(
        `UPDATE campaign_provinces SET voided = voided + $3, status = 'completed', updated_at = now()
          WHERE campaign_year = $1 AND province_code = $2`,
        [input.year, input.provinceCode, voided.length],
      );
      await appendAudit(manager, {
        actorType: 'system',
        actorId: null,
        actorLabel: 'inspectionCampaign',
        action: 'campaign.paper.void',
        subjectType: 'campaign',
        subjectId: workflowIds.provinceCampaign(input.year, input.provinceCode),
        provinceCode: input.provinceCode,
        detail: { year: input.year, voided: voided.length },
      });
    });
    return this.counts(this.dataSource.manager, input);
  }

  /** Invited members who now hold an e-certificate (active or being issued) count as claimed. */
  private async markClaimed(key: ProvinceKey): Promise<void> {
    await this.dataSource.transaction(async (manager) => {
      const claimed = rowsOf(
        await manager.query(
          `UPDATE campaign_members cm SET claimed_at = now()
           FROM members m
          WHERE cm.campaign_year = $1 AND cm.province_code = $2 AND cm.invited AND cm.claimed_at IS NULL
            AND m.id = cm.member_id
            AND EXISTS (SELECT 1 FROM certificates c
                         WHERE c.certificate_no = m.certificate_no AND c.status IN ('active', 'pending'))
         RETURNING cm.member_id`,
          [key.year, key.provinceCode],
        ),
      );
      if (claimed.length > 0) {
        await manager.query(
          `UPDATE campaign_provinces SET claimed = claimed + $3, updated_at = now()
            WHERE campaign_year = $1 AND province_code = $2`,
          [key.year, key.provinceCode, claimed.length],
        );
      }
    });
  }

  private async counts(manager: EntityManager, key: ProvinceKey): Promise<CampaignCounts> {
    const rows: CampaignCounts[] = await manager.query(
      `SELECT ${COUNT_COLUMNS} FROM campaign_provinces WHERE campaign_year = $1 AND province_code = $2`,
      [key.year, key.provinceCode],
    );
    const row = rows[0];
    return {
      total: row?.total ?? 0,
      processed: row?.processed ?? 0,
      inspected: row?.inspected ?? 0,
      reissued: row?.reissued ?? 0,
      invited: row?.invited ?? 0,
      claimed: row?.claimed ?? 0,
      failed: row?.failed ?? 0,
      pending: row?.pending ?? 0,
      voided: row?.voided ?? 0,
    };
  }
}

const beijingDate = new Intl.DateTimeFormat('zh-CN', {
  timeZone: 'Asia/Shanghai',
  year: 'numeric',
  month: 'long',
  day: 'numeric',
});

/** `2025年12月31日`: the first day on which paper certificates are no longer valid. */
export function deadlineLabel(claimDeadline: string): string {
  return beijingDate.format(new Date(deadlineInstant(claimDeadline)));
}

function instituteName(provinceCode: string): string {
  return findProvince(provinceCode)?.instituteName ?? provinceCode;
}
