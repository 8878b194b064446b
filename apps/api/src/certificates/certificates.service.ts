import { HttpStatus, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Client, WorkflowExecutionAlreadyStartedError, WorkflowNotFoundError } from '@temporalio/client';
import { DataSource } from 'typeorm';
import { beijingToday } from '@app/domain/beijing-date';
import { describeCharacter, FontCoverage } from '@app/pdf';
import { appendAudit, BlobNotFoundError, Certificate, Member, type BlobStore } from '@app/persistence';
import { InjectBlobStore } from '@app/persistence/nest/blob-store.module';
import { SEARCH_ATTRIBUTES, TASK_QUEUES, workflowIds } from '@app/temporal';
import { issuanceObstacle } from '@app/activities/certificates/certificate.activities';
import {
  ISSUANCE_REASON_LABELS,
  progressQuery,
  type CertificateIssuanceInput,
  type CertificateIssuanceProgress,
  type IssuanceReason,
  type IssuanceRequester,
} from '@app/workflows/certificate-issuance/certificate-issuance.messages';
import type { certificateIssuance } from '@app/workflows/certificate-issuance/certificate-issuance.workflow';
import { assertProvinceAccess } from '../auth/province-scope';
import { AppException, Errors } from '../common/app-exception';
import type { Principal, StaffPrincipal } from '../common/principal';
import { storedZip } from './zip';

export const CERTIFICATE_STATUS_LABELS: Record<Certificate['status'], string> = {
  pending: '签发中',
  active: '有效',
  superseded: '已被新版本取代',
  revoked: '已吊销',
};

export interface CertificateVersionView {
  certificateNo: string;
  version: number;
  status: Certificate['status'];
  statusLabel: string;
  reason: IssuanceReason;
  reasonLabel: string;
  issuedAt: Date | null;
  supersededAt: Date | null;
  revokedAt: Date | null;
  revokeReason: string | null;
  pdfSha256: string | null;
  workflowId: string;
}

export interface IssueStarted {
  certificateNo: string;
  version: number;
  workflowId: string;
}

export interface PdfFile {
  filename: string;
  data: Buffer;
}

/** Issuing, listing, revoking and downloading certificate versions (R1, R9, R10). */
@Injectable()
export class CertificatesService {
  private readonly fonts = new FontCoverage();

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @InjectBlobStore() private readonly blobs: BlobStore,
    private readonly temporal: Client,
  ) {}

  /**
   * Starts `certificate-<no>-v<next>`. Refuses up front, with the reason, what the workflow would refuse: a member
   * who is not active or has no verified photo, and a name with a character that no installed font can print.
   */
  async issue(staff: StaffPrincipal, certificateNo: string, reason: IssuanceReason): Promise<IssueStarted> {
    const member = await this.findMember(certificateNo);
    assertProvinceAccess(staff, member.provinceCode);
    const obstacle = await issuanceObstacle(this.dataSource.manager, member);
    if (obstacle) throw new AppException('NOT_ELIGIBLE', obstacle, HttpStatus.CONFLICT);
    for (const [label, text] of [
      ['姓名', member.name],
      ['入会批准文件号', member.approvalDocNo],
    ] as const) {
      const missing = await this.fonts.unprintable(text);
      if (missing.length) {
        throw new AppException(
          'UNPRINTABLE_CHARACTER',
          `${label}中的${missing.map(describeCharacter).join('、')}在证书字库中没有字形，打印出来会是空白方框，因此不予签发。` +
            `请核对用字（如为异体字请改用规范字），或联系中注协补充字库后重新签发。`,
          HttpStatus.UNPROCESSABLE_ENTITY,
        );
      }
    }
    const [{ next, versions }]: { next: number; versions: number }[] = await this.dataSource.query(
      `SELECT coalesce(max(version), 0)::int + 1 AS next, count(*)::int AS versions FROM certificates WHERE certificate_no = $1`,
      [certificateNo],
    );
    if ((versions === 0) !== (reason === 'firstIssue')) {
      throw Errors.validation([
        {
          field: 'reason',
          messages: [
            versions === 0 ? '该会员尚无电子证书，签发原因应为首次签发' : '该会员已有电子证书，请选择换发原因',
          ],
        },
      ]);
    }
    const workflowId = workflowIds.certificate(certificateNo, next);
    const requestedBy = { actorType: 'staff' as const, actorId: staff.id, actorLabel: staff.username };
    await this.dataSource.transaction(async (manager) => {
      await appendAudit(manager, {
        actorType: 'staff',
        actorId: staff.id,
        actorLabel: staff.username,
        action: 'certificate.issue.request',
        subjectType: 'certificate',
        subjectId: `${certificateNo}-v${next}`,
        provinceCode: member.provinceCode,
        detail: { certificateNo, version: next, reason, workflowId },
      });
      // Started inside the transaction: if Temporal refuses, the audit event is rolled back with it.
      try {
        await this.startIssuance({ certificateNo, version: next, reason, requestedBy }, member.provinceCode, false);
      } catch (error) {
        if (error instanceof WorkflowExecutionAlreadyStartedError) {
          throw new AppException(
            'ISSUANCE_RUNNING',
            '该证书的新版本正在签发中，请稍后刷新查看结果。',
            HttpStatus.CONFLICT,
          );
        }
        throw error;
      }
    });
    return { certificateNo, version: next, workflowId };
  }

  /** Every version of a certificate, newest first. */
  async versions(staff: StaffPrincipal, certificateNo: string): Promise<CertificateVersionView[]> {
    const member = await this.findMember(certificateNo);
    assertProvinceAccess(staff, member.provinceCode);
    const rows = await this.dataSource
      .getRepository(Certificate)
      .find({ where: { certificateNo }, order: { version: 'DESC' } });
    return rows.map(versionView);
  }

  /** Where the issuance workflow of a version stands (the workflow's `progress` query). */
  async progress(staff: StaffPrincipal, certificateNo: string, version: number): Promise<CertificateIssuanceProgress> {
    const member = await this.findMember(certificateNo);
    assertProvinceAccess(staff, member.provinceCode);
    try {
      return await this.temporal.workflow
        .getHandle(workflowIds.certificate(certificateNo, version))
        .query(progressQuery);
    } catch (error) {
      if (error instanceof WorkflowNotFoundError) throw Errors.notFound('该版本的签发流程');
      throw error;
    }
  }

  /** National staff revoke an issued version with a reason; verification shows it from the next request on. */
  async revoke(
    staff: StaffPrincipal,
    certificateNo: string,
    version: number,
    reason: string,
  ): Promise<CertificateVersionView> {
    return this.dataSource.transaction(async (manager) => {
      const row = await manager
        .getRepository(Certificate)
        .findOne({ where: { certificateNo, version }, lock: { mode: 'pessimistic_write' } });
      if (!row) throw Errors.notFound('该证书版本');
      if (row.status === 'revoked') {
        throw new AppException('ALREADY_REVOKED', '该证书版本已被吊销。', HttpStatus.CONFLICT);
      }
      if (row.status === 'pending') {
        throw new AppException(
          'NOT_ISSUED',
          '该证书版本尚在签发中，不能吊销；请待签发完成后再操作。',
          HttpStatus.CONFLICT,
        );
      }
      const member = await manager.getRepository(Member).findOneOrFail({ where: { certificateNo } });
      row.status = 'revoked';
      row.revokedAt = new Date();
      row.revokeReason = reason.trim();
      await manager.getRepository(Certificate).save(row);
      await appendAudit(manager, {
        actorType: 'staff',
        actorId: staff.id,
        actorLabel: staff.username,
        action: 'certificate.revoke',
        subjectType: 'certificate',
        subjectId: `${certificateNo}-v${version}`,
        provinceCode: member.provinceCode,
        detail: { certificateNo, version, reason: row.revokeReason },
      });
      return versionView(row);
    });
  }

  /**
   * One certificate PDF: the member's own current one, or for staff any version of a member in their scope
   * (provincial staff: their province only, R10). Every download is audited.
   */
  async download(principal: Principal, certificateNo: string, version?: number): Promise<PdfFile> {
    if (principal.kind === 'member' && principal.certificateNo !== certificateNo) {
      throw Errors.forbidden('会员只能下载本人的电子证书。');
    }
    const member = await this.findMember(certificateNo);
    if (principal.kind === 'staff') assertProvinceAccess(principal, member.provinceCode);
    const wanted = principal.kind === 'staff' ? version : undefined;
    if (wanted === undefined) await this.renderPendingFirst([certificateNo], actorOf(principal));
    const row = await this.issuedVersion(certificateNo, wanted);
    const data = await this.pdfOf(row);
    await this.dataSource.transaction((manager) =>
      appendAudit(manager, {
        ...actorOf(principal),
        action: 'certificate.download',
        subjectType: 'certificate',
        subjectId: `${certificateNo}-v${row.version}`,
        provinceCode: member.provinceCode,
        detail: { certificateNo, version: row.version, pdfSha256: row.pdfSha256 },
      }),
    );
    return { filename: fileName(row), data };
  }

  /** The current certificates of several members in one zip; every number must be in the caller's scope. */
  async downloadZip(staff: StaffPrincipal, certificateNos: string[]): Promise<PdfFile> {
    const numbers = [...new Set(certificateNos)];
    const members = await this.dataSource
      .getRepository(Member)
      .createQueryBuilder('m')
      .where('m.certificate_no IN (:...numbers)', { numbers })
      .getMany();
    const byNo = new Map(members.map((m) => [m.certificateNo, m]));
    const unknown = numbers.filter((n) => !byNo.has(n));
    if (unknown.length) throw Errors.notFound(`证书编号 ${unknown.join('、')} 对应的会员`);
    for (const m of members) assertProvinceAccess(staff, m.provinceCode);
    await this.renderPendingFirst(numbers, actorOf(staff));
    const rows = await this.dataSource
      .getRepository(Certificate)
      .createQueryBuilder('c')
      .where('c.certificate_no IN (:...numbers)', { numbers })
      .andWhere(`c.status = 'active'`)
      .getMany();
    const active = new Map(rows.map((r) => [r.certificateNo, r]));
    const without = numbers.filter((n) => !active.has(n));
    if (without.length) {
      throw new AppException(
        'NO_CERTIFICATE',
        `证书编号 ${without.join('、')} 尚无有效的电子证书。`,
        HttpStatus.CONFLICT,
      );
    }
    const entries = [];
    for (const n of numbers) {
      const row = active.get(n)!;
      entries.push({ name: fileName(row), data: await this.pdfOf(row) });
    }
    await this.dataSource.transaction(async (manager) => {
      for (const n of numbers) {
        const row = active.get(n)!;
        await appendAudit(manager, {
          ...actorOf(staff),
          action: 'certificate.download',
          subjectType: 'certificate',
          subjectId: `${n}-v${row.version}`,
          provinceCode: byNo.get(n)!.provinceCode,
          detail: { certificateNo: n, version: row.version, pdfSha256: row.pdfSha256, zip: true },
        });
      }
    });
    const stamp = beijingToday().replace(/-/g, '');
    return { filename: `certificates-${stamp}-${numbers.length}.zip`, data: storedZip(entries) };
  }

  /**
   * The newest version of a certificate may still be pending: a campaign decided the member's reissue but the
   * render queue has not reached it yet, or an issuance is under way. A download of the current certificate then
   * renders it on demand: it starts that version's certificateIssuance (the same workflow id the campaign's
   * renderer would use; if one runs already, it is joined instead) and waits for it a short while. If it does not
   * finish in time, or is refused, the version that is valid now is served. One query for all the numbers (a zip).
   */
  private async renderPendingFirst(certificateNos: readonly string[], requestedBy: IssuanceRequester): Promise<void> {
    const pending: { certificate_no: string; version: number; reason: IssuanceReason }[] = await this.dataSource.query(
      `SELECT DISTINCT ON (certificate_no) certificate_no, version, reason FROM certificates
        WHERE certificate_no = ANY($1::text[]) AND status = 'pending'
        ORDER BY certificate_no, version DESC`,
      [certificateNos],
    );
    if (pending.length === 0) return;
    const runs = await Promise.all(
      pending.map(async (p) => {
        const input = { certificateNo: p.certificate_no, version: p.version, reason: p.reason, requestedBy };
        try {
          return await this.startIssuance(input, p.certificate_no.slice(0, 2), true);
        } catch (error) {
          // Completed a moment ago (the reuse policy refuses a second run of a successful one): nothing to wait for.
          if (error instanceof WorkflowExecutionAlreadyStartedError) return null;
          throw error;
        }
      }),
    );
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      Promise.all(runs.filter((run) => run !== null).map((run) => run.result().catch(() => undefined))),
      new Promise((resolve) => (timer = setTimeout(resolve, ON_DEMAND_RENDER_WAIT_MS))),
    ]).finally(() => clearTimeout(timer));
  }

  /**
   * Starts `certificate-<no>-v<n>`. A failed run (refused before any version row existed) may be retried under the
   * same id; `joinRunning` attaches to a run under way instead of refusing (a download waiting for its render).
   */
  private startIssuance(input: CertificateIssuanceInput, provinceCode: string, joinRunning: boolean) {
    const { certificateNo, version, reason } = input;
    return this.temporal.workflow.start<typeof certificateIssuance>('certificateIssuance', {
      taskQueue: TASK_QUEUES.registry,
      workflowId: workflowIds.certificate(certificateNo, version),
      args: [input],
      workflowIdReusePolicy: 'ALLOW_DUPLICATE_FAILED_ONLY',
      ...(joinRunning ? { workflowIdConflictPolicy: 'USE_EXISTING' as const } : {}),
      typedSearchAttributes: [
        { key: SEARCH_ATTRIBUTES.province, value: provinceCode },
        { key: SEARCH_ATTRIBUTES.memberNo, value: certificateNo },
        { key: SEARCH_ATTRIBUTES.stage, value: 'snapshot' },
      ],
      staticSummary: joinRunning
        ? `下载时生成电子证书 ${certificateNo} 第 ${version} 版（${ISSUANCE_REASON_LABELS[reason]}）`
        : `签发电子证书 ${certificateNo} 第 ${version} 版（${ISSUANCE_REASON_LABELS[reason]}）`,
    });
  }

  private async findMember(certificateNo: string): Promise<Member> {
    const member = await this.dataSource.getRepository(Member).findOne({ where: { certificateNo } });
    if (!member) throw Errors.notFound('该证书编号对应的会员');
    return member;
  }

  private async issuedVersion(certificateNo: string, version?: number): Promise<Certificate> {
    const repository = this.dataSource.getRepository(Certificate);
    const row =
      version === undefined
        ? await repository.findOne({ where: { certificateNo, status: 'active' } })
        : await repository.findOne({ where: { certificateNo, version } });
    if (!row) throw Errors.notFound(version === undefined ? '有效的电子证书（可能尚未签发或已被吊销）' : '该证书版本');
    if (!row.pdfBlobKey || row.status === 'pending') {
      throw new AppException('NOT_ISSUED', '该证书版本尚在签发中，请稍后再下载。', HttpStatus.CONFLICT);
    }
    return row;
  }

  private async pdfOf(row: Certificate): Promise<Buffer> {
    try {
      return await this.blobs.get(row.pdfBlobKey!);
    } catch (error) {
      if (error instanceof BlobNotFoundError) throw Errors.notFound('证书文件');
      throw error;
    }
  }
}

function versionView(row: Certificate): CertificateVersionView {
  return {
    certificateNo: row.certificateNo,
    version: row.version,
    status: row.status,
    statusLabel: CERTIFICATE_STATUS_LABELS[row.status],
    reason: row.reason,
    reasonLabel: ISSUANCE_REASON_LABELS[row.reason],
    issuedAt: row.issuedAt,
    supersededAt: row.supersededAt,
    revokedAt: row.revokedAt,
    revokeReason: row.revokeReason,
    pdfSha256: row.pdfSha256,
    workflowId: row.workflowId,
  };
}

function fileName(row: Certificate): string {
  return `${row.certificateNo}-v${row.version}.pdf`;
}

/** How long a download waits for a pending version to be rendered on demand (one render takes well under 1 s). */
const ON_DEMAND_RENDER_WAIT_MS = 20_000;

function actorOf(principal: Principal) {
  return principal.kind === 'staff'
    ? { actorType: 'staff' as const, actorId: principal.id, actorLabel: principal.username }
    : {
        actorType: 'member' as const,
        actorId: principal.certificateNo,
        actorLabel: principal.name,
      };
}
