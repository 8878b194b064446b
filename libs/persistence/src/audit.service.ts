import { createHash } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import type { AuditActorType } from './entities/audit-event.entity';

/** prev_hash of the first event of the chain. */
export const AUDIT_GENESIS_HASH = '0'.repeat(64);

/**
 * Key of the transaction-level advisory lock that serialises appends: the chain is a
 * linked list, so "read the last hash, insert the next" must not interleave. Any constant
 * unique within the database will do.
 */
const AUDIT_CHAIN_LOCK_KEY = 7_241_020_015;

export interface AuditEventInput {
  actorType: AuditActorType;
  /** Staff account id, certificate number, application number…; null for the system or the public. */
  actorId?: string | null;
  actorLabel: string;
  /** Dotted verb, e.g. `task.claim`, `member.view.full`. */
  action: string;
  subjectType: string;
  subjectId: string;
  provinceCode?: string | null;
  /** JSON-serialisable detail (what changed, the reason, who was shown what). */
  detail?: Record<string, unknown>;
  /** Defaults to now. */
  occurredAt?: Date;
}

export interface AppendedAuditEvent {
  id: string;
  occurredAt: Date;
  prevHash: string;
  hash: string;
}

/** What the hash covers: every column but `id` and `hash` itself. */
interface HashedFields {
  occurredAt: string;
  actorType: string;
  actorId: string | null;
  actorLabel: string;
  action: string;
  subjectType: string;
  subjectId: string;
  provinceCode: string | null;
  detail: unknown;
  prevHash: string;
}

/**
 * JSON with object keys sorted at every level: the same event hashes the same whether it
 * comes from the caller or back from jsonb (which reorders keys).
 */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map((v) => (v === undefined ? 'null' : canonicalJson(v))).join(',')}]`;
  const entries = Object.keys(value)
    .filter((k) => (value as Record<string, unknown>)[k] !== undefined)
    .sort()
    .map((k) => `${JSON.stringify(k)}:${canonicalJson((value as Record<string, unknown>)[k])}`);
  return `{${entries.join(',')}}`;
}

export function auditHash(fields: HashedFields): string {
  return createHash('sha256').update(canonicalJson(fields)).digest('hex');
}

/**
 * Appends one event to the audit chain. Call it INSIDE the transaction that makes the
 * change being audited, so the event exists if and only if the change does.
 *
 * The advisory lock is held until that transaction ends, so concurrent appends queue and
 * each reads the hash its predecessor committed. That needs READ COMMITTED (PostgreSQL's
 * default), where each statement sees the latest commits; under REPEATABLE READ the last
 * hash could come from a stale snapshot and fork the chain, so that is refused.
 */
export async function appendAudit(manager: EntityManager, event: AuditEventInput): Promise<AppendedAuditEvent> {
  if (!manager.queryRunner?.isTransactionActive) {
    throw new Error('appendAudit must run inside a transaction (use dataSource.transaction(manager => …))');
  }
  const [{ isolation }]: { isolation: string }[] = await manager.query(
    `SELECT pg_advisory_xact_lock($1), current_setting('transaction_isolation') AS isolation`,
    [AUDIT_CHAIN_LOCK_KEY],
  );
  if (isolation !== 'read committed') {
    throw new Error(`appendAudit needs a READ COMMITTED transaction, not ${isolation}`);
  }
  const last: { hash: string }[] = await manager.query(`SELECT hash FROM audit_events ORDER BY id DESC LIMIT 1`);
  const prevHash = last[0]?.hash ?? AUDIT_GENESIS_HASH;

  const occurredAt = event.occurredAt ?? new Date();
  // Round-trip through JSON now, so the hash covers exactly what jsonb will return
  // (undefined dropped, Dates as ISO strings).
  const detail = JSON.parse(JSON.stringify(event.detail ?? {})) as Record<string, unknown>;
  const fields: HashedFields = {
    occurredAt: occurredAt.toISOString(),
    actorType: event.actorType,
    actorId: event.actorId ?? null,
    actorLabel: event.actorLabel,
    action: event.action,
    subjectType: event.subjectType,
    subjectId: event.subjectId,
    provinceCode: event.provinceCode ?? null,
    detail,
    prevHash,
  };
  const hash = auditHash(fields);
  const [{ id }]: { id: string }[] = await manager.query(
    `INSERT INTO audit_events
       (occurred_at, actor_type, actor_id, actor_label, action, subject_type, subject_id, province_code, detail, prev_hash, hash)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9::jsonb, $10, $11)
     RETURNING id::text AS id`,
    [
      occurredAt,
      fields.actorType,
      fields.actorId,
      fields.actorLabel,
      fields.action,
      fields.subjectType,
      fields.subjectId,
      fields.provinceCode,
      JSON.stringify(detail),
      prevHash,
      hash,
    ],
  );
  return { id, occurredAt, prevHash, hash };
}

export interface AuditChainVerdict {
  ok: boolean;
  /** Number of events checked. */
  checked: number;
  /** Id of the first event whose link or hash does not match. */
  brokenAt?: string;
  reason?: 'prevHash' | 'hash';
}

interface AuditRow {
  id: string;
  occurred_at: Date;
  actor_type: string;
  actor_id: string | null;
  actor_label: string;
  action: string;
  subject_type: string;
  subject_id: string;
  province_code: string | null;
  detail: unknown;
  prev_hash: string;
  hash: string;
}

/**
 * Walks the whole chain in id order, in pages (the log grows without bound), and checks
 * that every event links to its predecessor and that its hash matches its content.
 */
export async function verifyAuditChain(manager: EntityManager, pageSize = 5000): Promise<AuditChainVerdict> {
  let expectedPrev = AUDIT_GENESIS_HASH;
  let afterId = '0';
  let checked = 0;
  for (;;) {
    const rows: AuditRow[] = await manager.query(
      // Order by the bigint column, not the text alias (that would sort 10 before 2).
      `SELECT e.id::text AS id, occurred_at, actor_type, actor_id, actor_label, action, subject_type, subject_id,
              province_code, detail, prev_hash, hash
       FROM audit_events e WHERE e.id > $1::bigint ORDER BY e.id LIMIT $2`,
      [afterId, pageSize],
    );
    for (const row of rows) {
      if (row.prev_hash !== expectedPrev) return { ok: false, checked, brokenAt: row.id, reason: 'prevHash' };
      const hash = auditHash({
        occurredAt: new Date(row.occurred_at).toISOString(),
        actorType: row.actor_type,
        actorId: row.actor_id,
        actorLabel: row.actor_label,
        action: row.action,
        subjectType: row.subject_type,
        subjectId: row.subject_id,
        provinceCode: row.province_code,
        detail: row.detail,
        prevHash: row.prev_hash,
      });
      if (hash !== row.hash) return { ok: false, checked, brokenAt: row.id, reason: 'hash' };
      expectedPrev = row.hash;
      checked++;
    }
    if (rows.length < pageSize) return { ok: true, checked };
    afterId = rows[rows.length - 1].id;
  }
}
