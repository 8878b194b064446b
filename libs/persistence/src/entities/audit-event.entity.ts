import { Check, Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

export const AUDIT_ACTOR_TYPES = ['staff', 'member', 'applicant', 'system', 'public'] as const;
export type AuditActorType = (typeof AUDIT_ACTOR_TYPES)[number];

/**
 * One entry of the append-only, hash-chained audit log (R15, PIPL view logging). Written
 * only through `appendAudit`; a trigger rejects UPDATE, DELETE and TRUNCATE. `id` is a
 * bigint, which `pg` returns as a string.
 */
@Entity({ name: 'audit_events' })
@Index('audit_events_subject_idx', ['subjectType', 'subjectId', 'id'])
@Index('audit_events_actor_idx', ['actorType', 'actorId', 'id'])
@Index('audit_events_province_idx', ['provinceCode', 'occurredAt'])
@Check('audit_events_actor_type_check', `actor_type IN ('staff', 'member', 'applicant', 'system', 'public')`)
@Check('audit_events_hash_check', `hash ~ '^[0-9a-f]{64}$' AND prev_hash ~ '^[0-9a-f]{64}$'`)
export class AuditEvent {
  @PrimaryGeneratedColumn('increment', { name: 'id', type: 'bigint' })
  id: string;

  @Column({ name: 'occurred_at', type: 'timestamptz' })
  occurredAt: Date;

  @Column({ name: 'actor_type', type: 'varchar', length: 16 })
  actorType: AuditActorType;

  @Column({ name: 'actor_id', type: 'text', nullable: true })
  actorId: string | null;

  /** Human-readable actor at the time, e.g. `reviewer.11（北京注协审核员）`. */
  @Column({ name: 'actor_label', type: 'text' })
  actorLabel: string;

  /** Dotted verb, e.g. `task.claim`, `member.view.full`. */
  @Column({ name: 'action', type: 'text' })
  action: string;

  @Column({ name: 'subject_type', type: 'text' })
  subjectType: string;

  @Column({ name: 'subject_id', type: 'text' })
  subjectId: string;

  /** The institute concerned, so provincial staff and reports can filter. No FK: the log outlives reference data. */
  @Column({ name: 'province_code', type: 'char', length: 2, nullable: true })
  provinceCode: string | null;

  @Column({ name: 'detail', type: 'jsonb', default: () => `'{}'` })
  detail: Record<string, unknown>;

  @Column({ name: 'prev_hash', type: 'char', length: 64 })
  prevHash: string;

  @Column({ name: 'hash', type: 'char', length: 64 })
  hash: string;
}
