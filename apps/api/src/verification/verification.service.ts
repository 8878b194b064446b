import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { Pool } from 'pg';
import { DataSource } from 'typeorm';
import { isCertificateNo } from '@app/domain/certificate-number';
import { maskDateOfBirth, maskEmail, maskMobile } from '@app/domain/masking';
import { findProvince } from '@app/domain/provinces';
import { canActInProvince } from '@app/domain/roles';
import { checkSeal, sha256 } from '@app/pdf';
import { appendAudit, BlobNotFoundError, type BlobStore } from '@app/persistence';
import { InjectBlobStore } from '@app/persistence/nest/blob-store.module';
import type { Principal, StaffPrincipal } from '../common/principal';
import { paperCertificateView, type PaperCertificateView } from './paper-certificate';
import { VERIFICATION_KEYS, type VerificationKeys } from './verification.keys';

export type VerificationStatus = 'valid' | 'superseded' | 'revoked' | 'suspended' | 'pending' | 'invalidToken';

export const VERIFICATION_STATUS_LABELS: Record<VerificationStatus, string> = {
  valid: '有效',
  superseded: '已被新版本取代',
  revoked: '已吊销',
  suspended: '会员资格已暂停或注销',
  pending: '签发中，尚未生效',
  invalidToken: '无法验证',
};

/** What the public sees (masked) or, for entitled staff, in full; `fullView` says which. */
export interface VerifiedMember {
  name: string;
  gender: string;
  instituteName: string;
  approvalDocNo: string;
  joinedOn: string;
  dateOfBirth: string;
  mobile: string;
  email: string;
  inspections: { year: number; passedOn: string }[];
  transfers: { transferredOn: string; from: string; to: string }[];
  /** The paper certificate of a member admitted before 2021 (R11); null when the member never had one. */
  paperCertificate: PaperCertificateView | null;
}

export interface VerificationResult {
  status: VerificationStatus;
  statusLabel: string;
  /** Only with a valid token: a bare number proves nothing and is not echoed back. */
  certificateNo: string | null;
  /** The version the QR code was printed for. */
  version: number | null;
  /** The currently valid version, when there is one (superseded: the newer one to ask the member for). */
  currentVersion: number | null;
  issuedAt: string | null;
  revokedAt: string | null;
  revokeReason: string | null;
  member: VerifiedMember | null;
  /** True when date of birth, mobile and e-mail are shown in full (entitled staff; audited). */
  fullView: boolean;
}

export interface SealVerdict {
  verdict: 'genuine' | 'altered' | 'foreign' | 'unsigned' | 'notIssued' | 'appended';
  message: string;
  signed: boolean;
  signatureValid: boolean;
  signedByOurSeal: boolean;
  coversWholeFile: boolean;
  identicalToIssued: boolean;
  signerCommonName: string | null;
  certificateNo: string | null;
  version: number | null;
  status: 'active' | 'superseded' | 'revoked' | 'pending' | null;
  statusLabel: string | null;
  sha256: string;
}

const INVALID: VerificationResult = {
  status: 'invalidToken',
  statusLabel: VERIFICATION_STATUS_LABELS.invalidToken,
  certificateNo: null,
  version: null,
  currentVersion: null,
  issuedAt: null,
  revokedAt: null,
  revokeReason: null,
  member: null,
  fullView: false,
};

interface LookupRow {
  status: 'pending' | 'active' | 'superseded' | 'revoked';
  issued_at: Date | null;
  revoked_at: Date | null;
  revoke_reason: string | null;
  current_version: number | null;
  member_id: string;
  name: string;
  gender: 'M' | 'F';
  province_code: string;
  member_status: string;
  approval_doc_no: string;
  joined_on: string;
  date_of_birth: string;
  mobile: string;
  email: string;
  inspections: { year: number; passedOn: string }[];
  transfers: { transferredOn: string; from: string; to: string }[];
  paper_certificate: 'none' | 'valid' | 'void';
  paper_voided_on: string | null;
}

/**
 * One statement per lookup (the verification page is the hot path, bench/verify): the scanned version, the
 * member, the currently active version, passed inspections and transfers. Dates come back as text so that no time
 * zone conversion can shift them.
 *
 * A void paper certificate (R11) is dated by `campaign_members.paper_voided_at`, the moment the campaign actually
 * voided it, in Beijing time, not by the campaign's claim deadline. On time the two are the same day (the deadline
 * `2025-12-31` is a timer at 2025-12-31 00:00 Beijing), but a province paused past its deadline voids later, and until
 * then this page rightly said "有效"; the deadline itself is only in the launch audit event, which has no index by
 * member. Looked up only for void papers, through the primary key (campaign_year, member_id): the campaign years come
 * from the small campaign_provinces table, evaluated once per lookup.
 */
const LOOKUP_SQL = `
  SELECT c.status, c.issued_at, c.revoked_at, c.revoke_reason,
         (SELECT a.version FROM certificates a WHERE a.certificate_no = c.certificate_no AND a.status = 'active') AS current_version,
         m.id AS member_id, m.name, m.gender, m.province_code, m.status AS member_status, m.approval_doc_no,
         m.joined_on::text AS joined_on, m.date_of_birth::text AS date_of_birth, m.mobile, m.email,
         (SELECT coalesce(json_agg(json_build_object('year', i.year, 'passedOn', i.passed_on::text) ORDER BY i.year DESC), '[]')
            FROM inspections i WHERE i.member_id = m.id AND i.result = 'passed' AND i.passed_on IS NOT NULL) AS inspections,
         (SELECT coalesce(json_agg(json_build_object('transferredOn', t.transferred_on::text, 'from', t.from_province, 'to', t.to_province) ORDER BY t.transferred_on), '[]')
            FROM transfers t WHERE t.member_id = m.id) AS transfers,
         m.paper_certificate,
         CASE WHEN m.paper_certificate = 'void' THEN
           (SELECT to_char(min(cm.paper_voided_at) AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM-DD') FROM campaign_members cm
             WHERE cm.campaign_year = ANY (ARRAY(SELECT DISTINCT p.campaign_year FROM campaign_provinces p))
               AND cm.member_id = m.id AND cm.paper_voided_at IS NOT NULL)
         END AS paper_voided_on
  FROM certificates c JOIN members m ON m.certificate_no = c.certificate_no
  WHERE c.certificate_no = $1 AND c.version = $2`;

/** Public verification of a scanned QR code (R2) and of an uploaded PDF (R9). */
@Injectable()
export class VerificationService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @InjectBlobStore() private readonly blobs: BlobStore,
    @Inject(VERIFICATION_KEYS) private readonly keys: VerificationKeys,
  ) {}

  /**
   * Without a valid token the answer is INVALID before the database is asked: nothing personal, and the same
   * work (and so the same time) whether or not the number exists, so numbers cannot be enumerated.
   */
  async lookup(certificateNo: string, token: unknown, principal?: Principal): Promise<VerificationResult> {
    const version = isCertificateNo(certificateNo)
      ? await this.keys.qr.verifiedVersionAsync(certificateNo, typeof token === 'string' ? token : '')
      : null;
    if (version === null) return INVALID;
    const row = await this.lookupRow(certificateNo, version);
    if (!row) return INVALID;
    const base = {
      certificateNo,
      version,
      currentVersion: row.current_version,
      issuedAt: row.issued_at ? new Date(row.issued_at).toISOString() : null,
      revokedAt: row.revoked_at ? new Date(row.revoked_at).toISOString() : null,
      revokeReason: row.revoke_reason,
    };
    if (row.status === 'pending') {
      return { ...INVALID, ...base, status: 'pending', statusLabel: VERIFICATION_STATUS_LABELS.pending };
    }
    const status: VerificationStatus =
      row.status === 'revoked'
        ? 'revoked'
        : row.member_status !== 'active'
          ? 'suspended'
          : row.status === 'superseded'
            ? 'superseded'
            : 'valid';

    const staff = principal?.kind === 'staff' ? principal : null;
    const fullView = staff !== null && canActInProvince(staff, row.province_code);
    if (fullView) await this.auditFullView(staff, row, certificateNo, version);
    const instituteOf = (code: string) => findProvince(code)?.instituteName ?? code;
    return {
      ...base,
      status,
      statusLabel: VERIFICATION_STATUS_LABELS[status],
      fullView,
      member: {
        name: row.name,
        gender: row.gender === 'F' ? '女' : '男',
        instituteName: instituteOf(row.province_code),
        approvalDocNo: row.approval_doc_no,
        joinedOn: row.joined_on,
        dateOfBirth: fullView ? row.date_of_birth : maskDateOfBirth(row.date_of_birth),
        mobile: fullView ? row.mobile : maskMobile(row.mobile),
        email: fullView ? row.email : maskEmail(row.email),
        inspections: row.inspections,
        transfers: row.transfers.map((t) => ({ ...t, from: instituteOf(t.from), to: instituteOf(t.to) })),
        paperCertificate: paperCertificateView(
          row.paper_certificate,
          row.paper_voided_on,
          row.member_status !== 'active',
        ),
      },
    };
  }

  /** The photo printed on the scanned version; null without a valid token. */
  async photo(certificateNo: string, token: unknown): Promise<Buffer | null> {
    const version = isCertificateNo(certificateNo)
      ? this.keys.qr.verifiedVersion(certificateNo, typeof token === 'string' ? token : '')
      : null;
    if (version === null) return null;
    const rows: { key: string | null }[] = await this.dataSource.query(
      `SELECT snapshot->>'photoBlobKey' AS key FROM certificates WHERE certificate_no = $1 AND version = $2 AND status <> 'pending'`,
      [certificateNo, version],
    );
    if (!rows[0]?.key) return null;
    try {
      return await this.blobs.get(rows[0].key);
    } catch (error) {
      if (error instanceof BlobNotFoundError) return null;
      throw error;
    }
  }

  /** R9: seal valid? ours? identical to an issued version, and that version's status now? */
  async checkPdf(pdf: Buffer): Promise<SealVerdict> {
    const seal = await checkSeal(pdf, this.keys.sealCertificate);
    const digest = sha256(pdf);
    const rows: { certificate_no: string; version: number; status: SealVerdict['status'] }[] =
      await this.dataSource.query(
        `SELECT certificate_no, version, status FROM certificates WHERE pdf_sha256 = $1 ORDER BY version DESC LIMIT 1`,
        [digest],
      );
    const issued = rows[0];
    const statusLabel = issued?.status
      ? { active: '有效', superseded: '已被新版本取代', revoked: '已吊销', pending: '签发中' }[issued.status]
      : null;
    const verdict: SealVerdict['verdict'] = !seal.signed
      ? 'unsigned'
      : !seal.signatureValid
        ? 'altered'
        : !seal.signedByOurSeal
          ? 'foreign'
          : !seal.coversWholeFile
            ? 'appended'
            : issued
              ? 'genuine'
              : 'notIssued';
    const messages: Record<SealVerdict['verdict'], string> = {
      genuine: `电子签章有效，文件与中注协签发的证书 ${issued?.certificate_no ?? ''} 第 ${issued?.version ?? ''} 版完全一致；该版本当前状态：${statusLabel ?? ''}。`,
      altered: '电子签章无效：文件在签章后被修改过（摘要不一致），不是中注协签发的原件。',
      foreign: `文件的签章不是中注协的电子印章（签章证书：${seal.signerCommonName ?? '未知'}），不能作为电子证书使用。`,
      unsigned: '文件没有电子签章，不是中注协签发的电子证书。',
      appended: '电子签章本身有效，但签章后文件末尾被追加了内容，请向会员索取原始文件。',
      notIssued: '电子签章有效，但与中注协签发记录中的任何证书文件都不一致，请向会员索取原始文件或扫描二维码核验。',
    };
    return {
      verdict,
      message: messages[verdict],
      ...seal,
      identicalToIssued: issued !== undefined,
      certificateNo: issued?.certificate_no ?? null,
      version: issued?.version ?? null,
      status: issued?.status ?? null,
      statusLabel,
      sha256: digest,
    };
  }

  /**
   * The lookup as a named prepared statement on the driver's pool (bench/verify): PostgreSQL parses and plans
   * LOOKUP_SQL once per connection instead of on every scan, and TypeORM's per-call query-runner set-up is skipped.
   * Measured with 1,000,000 certificates: see bench/README.md.
   */
  private async lookupRow(certificateNo: string, version: number): Promise<LookupRow | undefined> {
    // TypeORM's PostgresDriver keeps its pg Pool as `master` (typed `any` there).
    const pool = (this.dataSource.driver as unknown as { master: Pool }).master;
    const result = await pool.query<LookupRow>({
      name: 'verification_lookup',
      text: LOOKUP_SQL,
      values: [certificateNo, version],
    });
    return result.rows[0];
  }

  private async auditFullView(staff: StaffPrincipal, row: LookupRow, certificateNo: string, version: number) {
    await this.dataSource.transaction((manager) =>
      appendAudit(manager, {
        actorType: 'staff',
        actorId: staff.id,
        actorLabel: staff.username,
        action: 'member.view.full',
        subjectType: 'member',
        subjectId: row.member_id,
        provinceCode: row.province_code,
        detail: { certificateNo, version, via: 'verification', fields: ['dateOfBirth', 'mobile', 'email'] },
      }),
    );
  }
}
