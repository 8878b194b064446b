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
  UpdateDateColumn,
} from 'typeorm';
import { Institute } from './institute.entity';

export const MEMBER_STATUSES = ['active', 'suspended', 'cancelled'] as const;
export type MemberStatus = (typeof MEMBER_STATUSES)[number];
export const ADMISSION_ROUTES = ['exam', 'assessment'] as const;
/** `exam`: passed the national CPA exam (全科合格); `assessment`: admitted by assessment (考核). */
export type AdmissionRoute = (typeof ADMISSION_ROUTES)[number];
export const PAPER_CERTIFICATE_STATES = ['none', 'valid', 'void'] as const;
/** Members approved before 2021 hold a paper certificate, invalid from 2025-12-31 (R11). */
export type PaperCertificateState = (typeof PAPER_CERTIFICATE_STATES)[number];
export type Gender = 'M' | 'F';

/** A non-practising member (非执业会员). Date columns are `YYYY-MM-DD` strings. */
@Entity({ name: 'members' })
@Unique('members_certificate_no_key', ['certificateNo'])
@Index('members_province_joined_idx', ['provinceCode', 'joinedOn'])
@Index('members_id_number_idx', ['idNumber'])
@Check('members_certificate_no_check', `certificate_no ~ '^[0-9]{12}$'`)
@Check('members_gender_check', `gender IN ('M', 'F')`)
@Check('members_status_check', `status IN ('active', 'suspended', 'cancelled')`)
@Check('members_admission_route_check', `admission_route IN ('exam', 'assessment')`)
// The photo route (R7) depends on the exam year, so exam members must have one.
@Check('members_exam_pass_year_check', `admission_route <> 'exam' OR exam_pass_year IS NOT NULL`)
@Check('members_paper_certificate_check', `paper_certificate IN ('none', 'valid', 'void')`)
export class Member {
  @PrimaryGeneratedColumn('uuid', { name: 'id' })
  id: string;

  /** 证书编号, also the member number (log-in name, `claim-<memberNo>`). Never changes, also not on transfer. */
  @Column({ name: 'certificate_no', type: 'char', length: 12 })
  certificateNo: string;

  @Column({ name: 'name', type: 'text' })
  name: string;

  @Column({ name: 'gender', type: 'char', length: 1 })
  gender: Gender;

  /** 居民身份证号 (18 characters, GB 11643). */
  @Column({ name: 'id_number', type: 'varchar', length: 18 })
  idNumber: string;

  @Column({ name: 'date_of_birth', type: 'date' })
  dateOfBirth: string;

  @Column({ name: 'mobile', type: 'text' })
  mobile: string;

  @Column({ name: 'email', type: 'text' })
  email: string;

  @Column({ name: 'address', type: 'text', nullable: true })
  address: string | null;

  /** The institute the member belongs to now (changes on transfer). */
  @Column({ name: 'province_code', type: 'char', length: 2 })
  provinceCode: string;

  @ManyToOne(() => Institute, { nullable: false, onDelete: 'NO ACTION' })
  @JoinColumn({ name: 'province_code', foreignKeyConstraintName: 'members_province_code_fkey' })
  institute?: Institute;

  @Column({ name: 'status', type: 'varchar', length: 16, default: 'active' })
  status: MemberStatus;

  @Column({ name: 'admission_route', type: 'varchar', length: 16 })
  admissionRoute: AdmissionRoute;

  @Column({ name: 'exam_pass_year', type: 'int', nullable: true })
  examPassYear: number | null;

  /** 全科合格证号. */
  @Column({ name: 'exam_pass_cert_no', type: 'text', nullable: true })
  examPassCertNo: string | null;

  /** Date of the membership approval (入会日期). */
  @Column({ name: 'joined_on', type: 'date' })
  joinedOn: string;

  /** 入会批准文件号. */
  @Column({ name: 'approval_doc_no', type: 'text' })
  approvalDocNo: string;

  @Column({ name: 'paper_certificate', type: 'varchar', length: 8, default: 'none' })
  paperCertificate: PaperCertificateState;

  /** argon2id PHC string. */
  @Column({ name: 'password_hash', type: 'text' })
  passwordHash: string;

  /** True while the member still has the initial password (R6). */
  @Column({ name: 'must_change_password', type: 'boolean', default: true })
  mustChangePassword: boolean;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}
