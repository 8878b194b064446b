import { Check, Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { Institute } from './institute.entity';
import { Member } from './member.entity';

/** A transfer (转会) of a member between local institutes, shown on the verification page (R2). */
@Entity({ name: 'transfers' })
@Index('transfers_member_idx', ['memberId', 'transferredOn'])
@Check('transfers_provinces_check', `from_province <> to_province`)
export class Transfer {
  @PrimaryGeneratedColumn('uuid', { name: 'id' })
  id: string;

  @Column({ name: 'member_id', type: 'uuid' })
  memberId: string;

  @ManyToOne(() => Member, { nullable: false, onDelete: 'NO ACTION' })
  @JoinColumn({ name: 'member_id', foreignKeyConstraintName: 'transfers_member_id_fkey' })
  member?: Member;

  @Column({ name: 'from_province', type: 'char', length: 2 })
  fromProvince: string;

  @ManyToOne(() => Institute, { nullable: false, onDelete: 'NO ACTION' })
  @JoinColumn({ name: 'from_province', foreignKeyConstraintName: 'transfers_from_province_fkey' })
  fromInstitute?: Institute;

  @Column({ name: 'to_province', type: 'char', length: 2 })
  toProvince: string;

  @ManyToOne(() => Institute, { nullable: false, onDelete: 'NO ACTION' })
  @JoinColumn({ name: 'to_province', foreignKeyConstraintName: 'transfers_to_province_fkey' })
  toInstitute?: Institute;

  @Column({ name: 'transferred_on', type: 'date' })
  transferredOn: string;

  @Column({ name: 'approval_doc_no', type: 'text', nullable: true })
  approvalDocNo: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;
}
