/**
 * R15: every decision is recorded in an append-only, hash-chained log. Runs on the shared
 * test database, where other test files may append at the same time: assertions are about
 * this file's own events and about the chain as a whole.
 */
import {
  appendAudit,
  auditHash,
  AUDIT_GENESIS_HASH,
  dataSourceOptions,
  runMigrations,
  verifyAuditChain,
  type AuditEventInput,
} from '@app/persistence';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { createScratchDatabase, sharedDatabaseUrl } from './scratch-database';

interface Row {
  id: string;
  prev_hash: string;
  hash: string;
  detail: Record<string, unknown>;
}

describe('audit log', () => {
  let ds: DataSource;
  const run = randomUUID();
  const event = (n: number, extra: Partial<AuditEventInput> = {}): AuditEventInput => ({
    actorType: 'staff',
    actorId: 'reviewer.11',
    actorLabel: '张伟（北京注协审核员）',
    action: 'task.claim',
    subjectType: 'audit-test',
    subjectId: `${run}-${n}`,
    provinceCode: '11',
    detail: { n, nested: { b: [1, 'two', null], a: '中文' }, skipped: undefined },
    ...extra,
  });

  /** The row with the next lower id: an event's predecessor in the chain. */
  async function predecessorHash(id: string): Promise<string> {
    const rows: { hash: string }[] = await ds.query(
      `SELECT hash FROM audit_events WHERE id < $1::bigint ORDER BY id DESC LIMIT 1`,
      [id],
    );
    return rows[0]?.hash ?? AUDIT_GENESIS_HASH;
  }

  beforeAll(async () => {
    ds = await new DataSource(dataSourceOptions(sharedDatabaseUrl(), { extra: { max: 30 } })).initialize();
  });

  afterAll(async () => {
    await ds?.destroy();
  });

  it('chains appended events: each prev_hash is the hash of the event before it', async () => {
    const appended = [];
    for (let n = 0; n < 5; n++) appended.push(await ds.transaction((m) => appendAudit(m, event(n))));

    for (const a of appended) {
      expect(a.hash).toMatch(/^[0-9a-f]{64}$/);
      expect(a.prevHash).toBe(await predecessorHash(a.id));
    }
    const rows: Row[] = await ds.query(
      `SELECT id::text AS id, prev_hash, hash, detail FROM audit_events WHERE subject_id = ANY($1) ORDER BY audit_events.id`,
      [appended.map((_, n) => `${run}-${n}`)],
    );
    expect(rows.map((r) => r.hash)).toEqual(appended.map((a) => a.hash));
    // jsonb reorders keys; the hash is over canonical JSON and still verifies.
    expect(rows[0].detail).toEqual({ n: 0, nested: { a: '中文', b: [1, 'two', null] } });

    const verdict = await verifyAuditChain(ds.manager);
    expect(verdict).toMatchObject({ ok: true });
    expect(verdict.checked).toBeGreaterThanOrEqual(5);
  });

  it('hashes the content: changing any field changes the hash', () => {
    const fields = {
      occurredAt: '2026-01-01T00:00:00.000Z',
      actorType: 'staff',
      actorId: 'a',
      actorLabel: 'A',
      action: 'task.claim',
      subjectType: 't',
      subjectId: '1',
      provinceCode: '11',
      detail: { x: 1 },
      prevHash: AUDIT_GENESIS_HASH,
    };
    const base = auditHash(fields);
    expect(auditHash({ ...fields, detail: { x: 1 } })).toBe(base);
    expect(auditHash({ ...fields, detail: { x: 2 } })).not.toBe(base);
    expect(auditHash({ ...fields, action: 'task.decide' })).not.toBe(base);
    expect(auditHash({ ...fields, prevHash: 'f'.repeat(64) })).not.toBe(base);
  });

  it('is append-only: UPDATE, DELETE and TRUNCATE are rejected by the database', async () => {
    const { id } = await ds.transaction((m) => appendAudit(m, event(100)));
    await expect(ds.query(`UPDATE audit_events SET actor_label = 'someone else' WHERE id = $1`, [id])).rejects.toThrow(
      /append-only/,
    );
    await expect(ds.query(`DELETE FROM audit_events WHERE id = $1`, [id])).rejects.toThrow(/append-only/);
    await expect(ds.query(`TRUNCATE audit_events`)).rejects.toThrow(/append-only/);
    const [{ label }] = await ds.query(`SELECT actor_label AS label FROM audit_events WHERE id = $1`, [id]);
    expect(label).toBe('张伟（北京注协审核员）');
  });

  it('keeps one unbroken chain under 20 concurrent appending transactions', async () => {
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, n) =>
        ds.transaction(async (m) => {
          // Work before and after the append, as a real decision transaction would do.
          await m.query('SELECT pg_sleep(0.005)');
          const appended = await appendAudit(m, event(200 + n, { action: 'task.decide' }));
          await m.query('SELECT pg_sleep(0.005)');
          return appended;
        }),
      ),
    );
    expect(new Set(results.map((r) => r.prevHash)).size).toBe(20); // no fork: nobody shares a predecessor
    for (const r of results) expect(r.prevHash).toBe(await predecessorHash(r.id));
    expect(await verifyAuditChain(ds.manager)).toMatchObject({ ok: true });
  });

  it('refuses to append outside a transaction or under REPEATABLE READ', async () => {
    await expect(appendAudit(ds.manager, event(300))).rejects.toThrow(/inside a transaction/);
    await expect(ds.transaction('REPEATABLE READ', (m) => appendAudit(m, event(301)))).rejects.toThrow(
      /READ COMMITTED/,
    );
  });

  it('an event rolled back with its transaction leaves no trace and no gap in the chain', async () => {
    await expect(
      ds.transaction(async (m) => {
        await appendAudit(m, event(400));
        throw new Error('decision failed');
      }),
    ).rejects.toThrow('decision failed');
    const rows = await ds.query(`SELECT 1 FROM audit_events WHERE subject_id = $1`, [`${run}-400`]);
    expect(rows).toHaveLength(0);
    const next = await ds.transaction((m) => appendAudit(m, event(401)));
    expect(next.prevHash).toBe(await predecessorHash(next.id));
    expect(await verifyAuditChain(ds.manager)).toMatchObject({ ok: true });
  });

  it('verifies in pages', async () => {
    await ds.transaction((m) => appendAudit(m, event(500)));
    expect(await verifyAuditChain(ds.manager, 3)).toMatchObject({ ok: true });
  });

  // Tampering needs a superuser who disables the trigger: done on a database of its own,
  // so the shared chain stays intact.
  it('detects a changed event and a removed event', async () => {
    const db = await createScratchDatabase('audit_tamper');
    await runMigrations(db.url);
    const scratch = await new DataSource(dataSourceOptions(db.url)).initialize();
    try {
      const ids = [];
      for (let n = 0; n < 4; n++) ids.push((await scratch.transaction((m) => appendAudit(m, event(n)))).id);
      expect(await verifyAuditChain(scratch.manager)).toEqual({ ok: true, checked: 4 });

      await scratch.query(`ALTER TABLE audit_events DISABLE TRIGGER audit_events_no_update_delete`);
      await scratch.query(`UPDATE audit_events SET detail = '{"n": 99}' WHERE id = $1`, [ids[1]]);
      expect(await verifyAuditChain(scratch.manager)).toEqual({
        ok: false,
        checked: 1,
        brokenAt: ids[1],
        reason: 'hash',
      });

      await scratch.query(`DELETE FROM audit_events WHERE id = $1`, [ids[1]]);
      expect(await verifyAuditChain(scratch.manager)).toEqual({
        ok: false,
        checked: 1,
        brokenAt: ids[2],
        reason: 'prevHash',
      });
    } finally {
      await scratch.destroy();
      await db.drop();
    }
  });
});
