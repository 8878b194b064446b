import { Check, Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { Institute } from './institute.entity';
import { StaffAccount } from './staff-account.entity';

/** Task types known today; the column is plain varchar so that new kinds need no migration. */
export const TASK_TYPES = ['firstReview', 'secondReview', 'onSiteCheck'] as const;
export type TaskType = (typeof TASK_TYPES)[number];
export const TASK_STATUSES = ['open', 'claimed', 'done', 'cancelled'] as const;
export type TaskStatus = (typeof TASK_STATUSES)[number];

/**
 * The staff work queue (R18): a human decision a workflow is waiting for. The partial unique
 * index makes "open the task" idempotent for a retried activity: one live task per wait.
 */
@Entity({ name: 'tasks' })
@Index('tasks_open_wait_key', ['workflowId', 'waitKey'], { unique: true, where: `status IN ('open', 'claimed')` })
@Index('tasks_queue_idx', ['status', 'type', 'provinceCode', 'createdAt'])
@Index('tasks_assignee_idx', ['assigneeId'], { where: `status = 'claimed'` })
@Index('tasks_subject_idx', ['subjectType', 'subjectId'])
@Check('tasks_status_check', `status IN ('open', 'claimed', 'done', 'cancelled')`)
@Check('tasks_reminder_count_check', `reminder_count >= 0`)
export class Task {
  @PrimaryGeneratedColumn('uuid', { name: 'id' })
  id: string;

  @Column({ name: 'type', type: 'varchar', length: 32 })
  type: TaskType | (string & {});

  /** The institute whose queue holds the task; null = the national queue. */
  @Column({ name: 'province_code', type: 'char', length: 2, nullable: true })
  provinceCode: string | null;

  @ManyToOne(() => Institute, { nullable: true, onDelete: 'NO ACTION' })
  @JoinColumn({ name: 'province_code', foreignKeyConstraintName: 'tasks_province_code_fkey' })
  institute?: Institute | null;

  /** e.g. `application`, `member`. */
  @Column({ name: 'subject_type', type: 'varchar', length: 32 })
  subjectType: string;

  @Column({ name: 'subject_id', type: 'text' })
  subjectId: string;

  /** What the queue shows, e.g. the applicant's name and application number. */
  @Column({ name: 'subject_label', type: 'text' })
  subjectLabel: string;

  @Column({ name: 'workflow_id', type: 'text' })
  workflowId: string;

  /** Which wait of the workflow this task answers, e.g. `firstReview-2` for the second round. */
  @Column({ name: 'wait_key', type: 'text' })
  waitKey: string;

  @Column({ name: 'status', type: 'varchar', length: 16, default: 'open' })
  status: TaskStatus;

  @Column({ name: 'assignee_id', type: 'uuid', nullable: true })
  assigneeId: string | null;

  @ManyToOne(() => StaffAccount, { nullable: true, onDelete: 'NO ACTION' })
  @JoinColumn({ name: 'assignee_id', foreignKeyConstraintName: 'tasks_assignee_id_fkey' })
  assignee?: StaffAccount | null;

  @Column({ name: 'claimed_at', type: 'timestamptz', nullable: true })
  claimedAt: Date | null;

  @Column({ name: 'due_at', type: 'timestamptz', nullable: true })
  dueAt: Date | null;

  @Column({ name: 'reminded_at', type: 'timestamptz', nullable: true })
  remindedAt: Date | null;

  @Column({ name: 'reminder_count', type: 'int', default: 0 })
  reminderCount: number;

  /** The decision as recorded by the API (e.g. `{ outcome: 'approve', reason }`). */
  @Column({ name: 'decision', type: 'jsonb', nullable: true })
  decision: Record<string, unknown> | null;

  @Column({ name: 'decided_by', type: 'uuid', nullable: true })
  decidedBy: string | null;

  @ManyToOne(() => StaffAccount, { nullable: true, onDelete: 'NO ACTION' })
  @JoinColumn({ name: 'decided_by', foreignKeyConstraintName: 'tasks_decided_by_fkey' })
  decider?: StaffAccount | null;

  @Column({ name: 'decided_at', type: 'timestamptz', nullable: true })
  decidedAt: Date | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;
}
