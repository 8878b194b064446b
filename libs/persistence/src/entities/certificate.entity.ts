import {
  Check,
  Column,
  CreateDateColumn,
  Entity,
  Index,
  JoinColumn,
  ManyToOne,
  PrimaryGeneratedColumn,
  Unique,
} from 'typeorm';
import { Member } from './member.entity';

export const CERTIFICATE_STATUSES = ['pending', 'active', 'superseded', 'revoked'] as const;
export type CertificateStatus = (typeof CERTIFICATE_STATUSES)[number];
export const CERTIFICATE_REASONS = ['firstIssue', 'reissue', 'dataChange', 'transfer'] as const;
export type CertificateReason = (typeof CERTIFICATE_REASONS)[number];

/**
 * One version of a member's e-certificate (R1). Versions are created `pending` by the
 * `certificate-<certificateNo>-v<version>` workflow; at most one is `active` at a time
 * (partial unique index), older ones are `superseded`.
 */
@Entity({ name: 'certificates' })
@Unique('certificates_no_version_key', ['certificateNo', 'version'])
@Index('certificates_one_active_key', ['certificateNo'], { unique: true, where: `status = 'active'` })
@Index('certificates_pdf_sha256_idx', ['pdfSha256'])
@Index('certificates_pending_idx', ['certificateNo', 'version'], { where: `status = 'pending'` })
@Check('certificates_version_check', `version >= 1`)
@Check('certificates_status_check', `status IN ('pending', 'active', 'superseded', 'revoked')`)
@Check('certificates_reason_check', `reason IN ('firstIssue', 'reissue', 'dataChange', 'transfer')`)
export class Certificate {
  @PrimaryGeneratedColumn('uuid', { name: 'id' })
  id: string;

  @Column({ name: 'certificate_no', type: 'char', length: 12 })
  certificateNo: string;

  @ManyToOne(() => Member, { nullable: false, onDelete: 'NO ACTION' })
  @JoinColumn({
    name: 'certificate_no',
    referencedColumnName: 'certificateNo',
    foreignKeyConstraintName: 'certificates_certificate_no_fkey',
  })
  member?: Member;

  @Column({ name: 'version', type: 'int' })
  version: number;

  @Column({ name: 'status', type: 'varchar', length: 16, default: 'pending' })
  status: CertificateStatus;

  @Column({ name: 'reason', type: 'varchar', length: 16 })
  reason: CertificateReason;

  /** The member data printed on this version, frozen at issuance. */
  @Column({ name: 'snapshot', type: 'jsonb' })
  snapshot: Record<string, unknown>;

  @Column({ name: 'pdf_blob_key', type: 'text', nullable: true })
  pdfBlobKey: string | null;

  /** sha256 (hex) of the sealed PDF: an uploaded PDF is looked up by it on the verification page. */
  @Column({ name: 'pdf_sha256', type: 'char', length: 64, nullable: true })
  pdfSha256: string | null;

  @Column({ name: 'workflow_id', type: 'text' })
  workflowId: string;

  @Column({ name: 'issued_at', type: 'timestamptz', nullable: true })
  issuedAt: Date | null;

  @Column({ name: 'superseded_at', type: 'timestamptz', nullable: true })
  supersededAt: Date | null;

  @Column({ name: 'revoked_at', type: 'timestamptz', nullable: true })
  revokedAt: Date | null;

  @Column({ name: 'revoke_reason', type: 'text', nullable: true })
  revokeReason: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;
}
