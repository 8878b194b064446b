import { Check, Column, Entity, JoinColumn, ManyToOne, PrimaryGeneratedColumn, Unique } from 'typeorm';
import { Member } from './member.entity';
import { StaffAccount } from './staff-account.entity';

export const INSPECTION_RESULTS = ['passed', 'failed', 'exempt'] as const;
export type InspectionResult = (typeof INSPECTION_RESULTS)[number];
export const INSPECTION_SOURCES = ['upload', 'console', 'seed'] as const;
export type InspectionSource = (typeof INSPECTION_SOURCES)[number];

/** A member's annual inspection (年检) result for one year; history from 2017 on (R13). */
@Entity({ name: 'inspections' })
@Unique('inspections_member_year_key', ['memberId', 'year'])
@Check('inspections_year_check', `year >= 2017`)
@Check('inspections_result_check', `result IN ('passed', 'failed', 'exempt')`)
@Check('inspections_source_check', `source IN ('upload', 'console', 'seed')`)
export class Inspection {
  @PrimaryGeneratedColumn('uuid', { name: 'id' })
  id: string;

  @Column({ name: 'member_id', type: 'uuid' })
  memberId: string;

  @ManyToOne(() => Member, { nullable: false, onDelete: 'NO ACTION' })
  @JoinColumn({ name: 'member_id', foreignKeyConstraintName: 'inspections_member_id_fkey' })
  member?: Member;

  @Column({ name: 'year', type: 'int' })
  year: number;

  @Column({ name: 'result', type: 'varchar', length: 16 })
  result: InspectionResult;

  /** 年检通过时间, shown on the verification page (R2). */
  @Column({ name: 'passed_on', type: 'date', nullable: true })
  passedOn: string | null;

  @Column({ name: 'remark', type: 'text', nullable: true })
  remark: string | null;

  @Column({ name: 'source', type: 'varchar', length: 16 })
  source: InspectionSource;

  @Column({ name: 'recorded_by', type: 'uuid', nullable: true })
  recordedBy: string | null;

  @ManyToOne(() => StaffAccount, { nullable: true, onDelete: 'NO ACTION' })
  @JoinColumn({ name: 'recorded_by', foreignKeyConstraintName: 'inspections_recorded_by_fkey' })
  recorder?: StaffAccount | null;

  @Column({ name: 'recorded_at', type: 'timestamptz', default: () => 'now()' })
  recordedAt: Date;
}
