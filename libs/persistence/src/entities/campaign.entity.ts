import { Check, Column, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { Institute } from './institute.entity';
import { Member } from './member.entity';

export const CAMPAIGN_PROVINCE_STATUSES = [
  'waiting',
  'running',
  'paused',
  'reminding',
  'completed',
  'cancelled',
] as const;
export type CampaignProvinceStatus = (typeof CAMPAIGN_PROVINCE_STATUSES)[number];
export const CAMPAIGN_INSPECTION_OUTCOMES = ['passed', 'failed', 'exempt', 'missing'] as const;
export type CampaignInspectionOutcome = (typeof CAMPAIGN_INSPECTION_OUTCOMES)[number];

/** Progress of one province in one year's inspection-and-reissue campaign (R19), kept by the campaign's activities. */
@Entity({ name: 'campaign_provinces' })
@Check(
  'campaign_provinces_status_check',
  `status IN ('waiting', 'running', 'paused', 'reminding', 'completed', 'cancelled')`,
)
export class CampaignProvince {
  @PrimaryColumn({ name: 'campaign_year', type: 'int' })
  campaignYear: number;

  @PrimaryColumn({ name: 'province_code', type: 'char', length: 2 })
  provinceCode: string;

  @ManyToOne(() => Institute, { nullable: false, onDelete: 'NO ACTION' })
  @JoinColumn({ name: 'province_code', foreignKeyConstraintName: 'campaign_provinces_province_code_fkey' })
  institute?: Institute;

  @Column({ name: 'status', type: 'varchar', length: 16, default: 'waiting' })
  status: CampaignProvinceStatus;

  @Column({ name: 'starts_at', type: 'timestamptz', nullable: true })
  startsAt: Date | null;

  /** Active members of the province when processing started. */
  @Column({ name: 'total', type: 'int', default: 0 })
  total: number;

  @Column({ name: 'processed', type: 'int', default: 0 })
  processed: number;

  /** Processed members with a result for the year (passed, failed or exempt). */
  @Column({ name: 'inspected', type: 'int', default: 0 })
  inspected: number;

  @Column({ name: 'reissued', type: 'int', default: 0 })
  reissued: number;

  @Column({ name: 'invited', type: 'int', default: 0 })
  invited: number;

  @Column({ name: 'claimed', type: 'int', default: 0 })
  claimed: number;

  @Column({ name: 'failed', type: 'int', default: 0 })
  failed: number;

  /** Processed members without an inspection result for the year. */
  @Column({ name: 'pending', type: 'int', default: 0 })
  pending: number;

  /** Paper certificates set to void at the claim deadline. */
  @Column({ name: 'voided', type: 'int', default: 0 })
  voided: number;

  @Column({ name: 'workflow_id', type: 'text' })
  workflowId: string;

  @Column({ name: 'updated_at', type: 'timestamptz', default: () => 'now()' })
  updatedAt: Date;
}

/** A member processed by one year's campaign: the primary key makes "processed exactly once" a constraint. */
@Entity({ name: 'campaign_members' })
@Index('campaign_members_year_province_idx', ['campaignYear', 'provinceCode', 'inspection'])
@Check('campaign_members_inspection_check', `inspection IN ('passed', 'failed', 'exempt', 'missing')`)
export class CampaignMember {
  @PrimaryColumn({ name: 'campaign_year', type: 'int' })
  campaignYear: number;

  @PrimaryColumn({ name: 'member_id', type: 'uuid' })
  memberId: string;

  @ManyToOne(() => Member, { nullable: false, onDelete: 'NO ACTION' })
  @JoinColumn({ name: 'member_id', foreignKeyConstraintName: 'campaign_members_member_id_fkey' })
  member?: Member;

  @Column({ name: 'province_code', type: 'char', length: 2 })
  provinceCode: string;

  @ManyToOne(() => Institute, { nullable: false, onDelete: 'NO ACTION' })
  @JoinColumn({ name: 'province_code', foreignKeyConstraintName: 'campaign_members_province_code_fkey' })
  institute?: Institute;

  /** The member's inspection for the campaign year; `failed` and `missing` are the institute's follow-up list. */
  @Column({ name: 'inspection', type: 'varchar', length: 16 })
  inspection: CampaignInspectionOutcome;

  /** The reissued certificate version (pending until rendered), if any. */
  @Column({ name: 'reissue_version', type: 'int', nullable: true })
  reissueVersion: number | null;

  /** Invited to claim the e-certificate (pre-2021 member without one). */
  @Column({ name: 'invited', type: 'boolean', default: false })
  invited: boolean;

  @Column({ name: 'claimed_at', type: 'timestamptz', nullable: true })
  claimedAt: Date | null;

  @Column({ name: 'reminders', type: 'int', default: 0 })
  reminders: number;

  @Column({ name: 'paper_voided_at', type: 'timestamptz', nullable: true })
  paperVoidedAt: Date | null;

  @Column({ name: 'processed_at', type: 'timestamptz', default: () => 'now()' })
  processedAt: Date;
}
