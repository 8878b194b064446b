import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { ApplicationFailure } from '@temporalio/activity';
import { DataSource, type EntityManager } from 'typeorm';
import { beijingToday } from '@app/domain/beijing-date';
import { findProvince } from '@app/domain/provinces';
import { appendAudit, Certificate, Inspection, Member, Photo } from '@app/persistence';
import { workflowIds } from '@app/temporal/names';
import { enqueue } from '../notifications/outbox';
import {
  ISSUANCE_FAILURES,
  ISSUANCE_REASON_LABELS,
  type ActivationResult,
  type CertificateIssuanceInput,
  type CertificateSnapshot,
  type IssuanceReason,
  type IssuanceRequester,
} from '../../workflows/certificate-issuance/certificate-issuance.messages';

export interface ActivateVersionInput {
  readonly certificateNo: string;
  readonly version: number;
  readonly pdfBlobKey: string;
  readonly pdfSha256: string;
  readonly requestedBy: IssuanceRequester;
  readonly reason: IssuanceReason;
}

/** Why a member cannot be given a certificate now, or null when they can (shared with the API's pre-check). */
export async function issuanceObstacle(manager: EntityManager, member: Member | null): Promise<string | null> {
  if (!member) return '未找到该证书编号对应的会员。';
  if (member.status !== 'active') return '该会员状态为暂停或注销，不能签发电子证书。';
  if (!(await latestAcceptedPhoto(manager, member.id))) {
    return '该会员尚无已核验的证书照片，请先完成照片核验（考试照片、照片比对或现场核验）后再签发。';
  }
  return null;
}

function latestAcceptedPhoto(manager: EntityManager, memberId: string): Promise<Photo | null> {
  return manager.getRepository(Photo).findOne({
    where: { memberId, status: 'accepted' },
    order: { verifiedAt: { direction: 'DESC', nulls: 'LAST' }, createdAt: 'DESC' },
  });
}

/** What a certificate version prints about `member`, with the parts that come from elsewhere. */
export function snapshotOf(
  member: Member,
  parts: Pick<CertificateSnapshot, 'version' | 'latestInspection' | 'photoBlobKey' | 'issuedOn'>,
): CertificateSnapshot {
  return {
    certificateNo: member.certificateNo,
    version: parts.version,
    name: member.name,
    gender: member.gender === 'F' ? 'female' : 'male',
    provinceCode: member.provinceCode,
    instituteName: findProvince(member.provinceCode)?.instituteName ?? member.provinceCode,
    joinedOn: String(member.joinedOn),
    approvalDocNo: member.approvalDocNo,
    latestInspection: parts.latestInspection,
    photoBlobKey: parts.photoBlobKey,
    issuedOn: parts.issuedOn,
  };
}

/**
 * Activities of certificateIssuance on the `registry` queue: PostgreSQL reads and writes, each safe to retry
 * (a retry finds its own earlier write and returns the same answer).
 */
@Injectable()
export class CertificateActivities {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /**
   * The member data to print on this version. If the version row exists already (a retry, or a second run of the
   * same workflow id), its frozen snapshot is returned, so the printed data never changes under a version.
   */
  async loadIssuanceSnapshot(input: CertificateIssuanceInput): Promise<CertificateSnapshot> {
    const manager = this.dataSource.manager;
    const existing = await manager
      .getRepository(Certificate)
      .findOne({ where: { certificateNo: input.certificateNo, version: input.version } });
    if (existing) return existing.snapshot as unknown as CertificateSnapshot;

    const member = await manager.getRepository(Member).findOne({ where: { certificateNo: input.certificateNo } });
    const obstacle = await issuanceObstacle(manager, member);
    if (obstacle || !member) {
      throw ApplicationFailure.nonRetryable(obstacle ?? '未找到会员。', ISSUANCE_FAILURES.notEligible);
    }
    const photo = (await latestAcceptedPhoto(manager, member.id))!;
    const inspection = await manager.getRepository(Inspection).findOne({
      where: { memberId: member.id, result: 'passed' },
      order: { year: 'DESC' },
    });
    return snapshotOf(member, {
      version: input.version,
      latestInspection:
        inspection?.passedOn != null ? { year: inspection.year, passedOn: String(inspection.passedOn) } : null,
      photoBlobKey: photo.blobKey,
      issuedOn: beijingToday(),
    });
  }

  /** Inserts the version row (pending) once; the unique (certificate_no, version) makes a retry a no-op. */
  async createVersion(input: CertificateIssuanceInput, snapshot: CertificateSnapshot): Promise<void> {
    await this.dataSource.query(
      `INSERT INTO certificates (certificate_no, version, status, reason, snapshot, workflow_id)
       VALUES ($1, $2, 'pending', $3, $4::jsonb, $5)
       ON CONFLICT ON CONSTRAINT certificates_no_version_key DO NOTHING`,
      [
        input.certificateNo,
        input.version,
        input.reason,
        JSON.stringify(snapshot),
        workflowIds.certificate(input.certificateNo, input.version),
      ],
    );
  }

  /**
   * Makes the version the valid one and supersedes the version it replaces, in one transaction with its audit
   * event. Versions may finish out of order (two issued in quick succession): a version older than the one already
   * active is recorded as superseded at once, never activated over it. A version that is no longer pending (a retry
   * after a commit whose reply was lost, or a revocation in between) is left as it is.
   */
  async activateVersion(input: ActivateVersionInput): Promise<ActivationResult> {
    return this.dataSource.transaction(async (manager) => {
      // Lock every version of this certificate: activations of the same number queue here.
      const rows: { version: number; status: Certificate['status'] }[] = await manager.query(
        `SELECT version, status FROM certificates WHERE certificate_no = $1 ORDER BY version FOR UPDATE`,
        [input.certificateNo],
      );
      const own = rows.find((r) => r.version === input.version);
      if (!own) throw new Error(`certificate ${input.certificateNo} v${input.version} does not exist`);
      if (own.status !== 'pending') {
        return {
          status: own.status === 'active' ? 'active' : own.status === 'revoked' ? 'revoked' : 'superseded',
          supersededVersion: null,
        };
      }
      const active = rows.find((r) => r.status === 'active');
      const newerActive = active !== undefined && active.version > input.version;
      if (active && !newerActive) {
        await manager.query(
          `UPDATE certificates SET status = 'superseded', superseded_at = now() WHERE certificate_no = $1 AND version = $2`,
          [input.certificateNo, active.version],
        );
      }
      const status = newerActive ? 'superseded' : 'active';
      await manager.query(
        `UPDATE certificates
           SET status = $3::varchar, pdf_blob_key = $4, pdf_sha256 = $5, issued_at = now(),
               superseded_at = CASE WHEN $3::varchar = 'superseded' THEN now() ELSE NULL END
         WHERE certificate_no = $1 AND version = $2`,
        [input.certificateNo, input.version, status, input.pdfBlobKey, input.pdfSha256],
      );
      const provinceCode = input.certificateNo.slice(0, 2);
      const member = await manager.getRepository(Member).findOne({ where: { certificateNo: input.certificateNo } });
      await appendAudit(manager, {
        actorType: 'system',
        actorId: null,
        actorLabel: 'certificateIssuance',
        action: 'certificate.issue',
        subjectType: 'certificate',
        subjectId: `${input.certificateNo}-v${input.version}`,
        provinceCode: member?.provinceCode ?? provinceCode,
        detail: {
          certificateNo: input.certificateNo,
          version: input.version,
          reason: input.reason,
          status,
          supersededVersion: active && !newerActive ? active.version : null,
          pdfSha256: input.pdfSha256,
          requestedBy: input.requestedBy,
        },
      });
      return { status, supersededVersion: active && !newerActive ? active.version : null };
    });
  }

  /** Puts the "your certificate is ready" mail into the outbox once per version (dedupe key). */
  async notifyMember(input: { certificateNo: string; version: number; reason: IssuanceReason }): Promise<void> {
    const member = await this.dataSource
      .getRepository(Member)
      .findOne({ where: { certificateNo: input.certificateNo } });
    if (!member) return;
    await enqueue(this.dataSource.manager, [
      {
        channel: 'mail',
        recipient: member.email,
        memberId: member.id,
        template: 'certificate-issued.mail',
        vars: {
          name: member.name,
          certificateNo: member.certificateNo,
          version: input.version,
          reasonLabel: ISSUANCE_REASON_LABELS[input.reason],
        },
        dedupeKey: `certificate-issued:${input.certificateNo}:v${input.version}`,
      },
    ]);
  }
}
