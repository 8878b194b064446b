import { Check, Column, Entity, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { Member } from './member.entity';

/**
 * The photo the national exam system holds for a member who passed the exam in 2010 or
 * later (R7a). Imported from the exam system; read-only for us.
 */
@Entity({ name: 'exam_photos' })
@Check('exam_photos_exam_year_check', `exam_year >= 2010`)
export class ExamPhoto {
  @PrimaryColumn({ name: 'member_id', type: 'uuid' })
  memberId: string;

  @ManyToOne(() => Member, { nullable: false, onDelete: 'CASCADE' })
  @JoinColumn({ name: 'member_id', foreignKeyConstraintName: 'exam_photos_member_id_fkey' })
  member?: Member;

  @Column({ name: 'blob_key', type: 'text' })
  blobKey: string;

  @Column({ name: 'exam_year', type: 'int' })
  examYear: number;
}
