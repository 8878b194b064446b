import { Check, Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { Member } from './member.entity';
import { StaffAccount } from './staff-account.entity';

export const PHOTO_SOURCES = ['examPhoto', 'comparison', 'onSite'] as const;
/** The photo routes of R7: a, b, c. */
export type PhotoSource = (typeof PHOTO_SOURCES)[number];
export const PHOTO_STATUSES = ['pending', 'accepted', 'rejected'] as const;
export type PhotoStatus = (typeof PHOTO_STATUSES)[number];

/** A certificate photo candidate for a member and the outcome of its verification (R7, R10). */
@Entity({ name: 'photos' })
@Index('photos_member_idx', ['memberId', 'createdAt'])
@Check('photos_source_check', `source IN ('examPhoto', 'comparison', 'onSite')`)
@Check('photos_status_check', `status IN ('pending', 'accepted', 'rejected')`)
@Check('photos_size_check', `width > 0 AND height > 0`)
export class Photo {
  @PrimaryGeneratedColumn('uuid', { name: 'id' })
  id: string;

  @Column({ name: 'member_id', type: 'uuid' })
  memberId: string;

  @ManyToOne(() => Member, { nullable: false, onDelete: 'NO ACTION' })
  @JoinColumn({ name: 'member_id', foreignKeyConstraintName: 'photos_member_id_fkey' })
  member?: Member;

  @Column({ name: 'source', type: 'varchar', length: 16 })
  source: PhotoSource;

  @Column({ name: 'blob_key', type: 'text' })
  blobKey: string;

  @Column({ name: 'content_type', type: 'text' })
  contentType: string;

  @Column({ name: 'width', type: 'int' })
  width: number;

  @Column({ name: 'height', type: 'int' })
  height: number;

  @Column({ name: 'status', type: 'varchar', length: 16, default: 'pending' })
  status: PhotoStatus;

  /** The staff member who verified it on site; null for the exam photo or an automatic comparison. */
  @Column({ name: 'verified_by', type: 'uuid', nullable: true })
  verifiedBy: string | null;

  @ManyToOne(() => StaffAccount, { nullable: true, onDelete: 'NO ACTION' })
  @JoinColumn({ name: 'verified_by', foreignKeyConstraintName: 'photos_verified_by_fkey' })
  verifier?: StaffAccount | null;

  @Column({ name: 'verified_at', type: 'timestamptz', nullable: true })
  verifiedAt: Date | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;
}
