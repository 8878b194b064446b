import {
  Check,
  Column,
  Entity,
  Index,
  JoinColumn,
  ManyToOne,
  PrimaryGeneratedColumn,
  Unique,
  UpdateDateColumn,
} from 'typeorm';
import { Institute } from './institute.entity';
import type { AdmissionRoute, Gender } from './member.entity';
import { Member } from './member.entity';

export const APPLICATION_STATUSES = ['firstReview', 'returned', 'secondReview', 'approved', 'rejected'] as const;
export type ApplicationStatus = (typeof APPLICATION_STATUSES)[number];

/** A membership application (R3–R5), driven by the `application-<applicationNo>` workflow. */
@Entity({ name: 'applications' })
@Unique('applications_application_no_key', ['applicationNo'])
@Unique('applications_workflow_id_key', ['workflowId'])
@Index('applications_id_number_idx', ['idNumber'])
@Index('applications_province_status_idx', ['provinceCode', 'status'])
@Check('applications_status_check', `status IN ('firstReview', 'returned', 'secondReview', 'approved', 'rejected')`)
@Check('applications_gender_check', `gender IN ('M', 'F')`)
@Check('applications_admission_route_check', `admission_route IN ('exam', 'assessment')`)
export class Application {
  @PrimaryGeneratedColumn('uuid', { name: 'id' })
  id: string;

  /** Readable number given to the applicant: `SQ` + yyyymmdd (Beijing time) + 6-digit sequence. */
  @Column({ name: 'application_no', type: 'varchar', length: 32 })
  applicationNo: string;

  @Column({ name: 'name', type: 'text' })
  name: string;

  @Column({ name: 'gender', type: 'char', length: 1 })
  gender: Gender;

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

  /** The institute that does the first review. */
  @Column({ name: 'province_code', type: 'char', length: 2 })
  provinceCode: string;

  @ManyToOne(() => Institute, { nullable: false, onDelete: 'NO ACTION' })
  @JoinColumn({ name: 'province_code', foreignKeyConstraintName: 'applications_province_code_fkey' })
  institute?: Institute;

  @Column({ name: 'admission_route', type: 'varchar', length: 16 })
  admissionRoute: AdmissionRoute;

  @Column({ name: 'exam_pass_year', type: 'int', nullable: true })
  examPassYear: number | null;

  @Column({ name: 'exam_pass_cert_no', type: 'text', nullable: true })
  examPassCertNo: string | null;

  @Column({ name: 'education', type: 'text', nullable: true })
  education: string | null;

  @Column({ name: 'employer', type: 'text', nullable: true })
  employer: string | null;

  @Column({ name: 'status', type: 'varchar', length: 16, default: 'firstReview' })
  status: ApplicationStatus;

  /** Where the review stands, in words for the progress page (R5), e.g. 地方注协初核中. */
  @Column({ name: 'stage_detail', type: 'text', nullable: true })
  stageDetail: string | null;

  /** Why it was returned or rejected (R4), shown to the applicant. */
  @Column({ name: 'reason', type: 'text', nullable: true })
  reason: string | null;

  @Column({ name: 'workflow_id', type: 'text' })
  workflowId: string;

  /** Set on approval, when the member is admitted. */
  @Column({ name: 'member_id', type: 'uuid', nullable: true })
  memberId: string | null;

  @ManyToOne(() => Member, { nullable: true, onDelete: 'NO ACTION' })
  @JoinColumn({ name: 'member_id', foreignKeyConstraintName: 'applications_member_id_fkey' })
  member?: Member | null;

  /**
   * The initial password, encrypted (not hashed: the progress page must show it, R5) until
   * the member's first log-in, then cleared.
   */
  @Column({ name: 'initial_password_ciphertext', type: 'text', nullable: true })
  initialPasswordCiphertext: string | null;

  @Column({ name: 'submitted_at', type: 'timestamptz', default: () => 'now()' })
  submittedAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}
