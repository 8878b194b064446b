/**
 * Notices to members, applicants and institutes go to the outbox table (DESIGN.md: mail/SMS
 * transports deliver from there). The dedupe key makes a retried activity enqueue nothing
 * twice. Bodies come from Handlebars templates in templates/messages/.
 */
import Handlebars from 'handlebars';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { EntityManager } from 'typeorm';
import { TEMPLATES_DIR } from '@app/config/paths';

export interface OutboxMessage {
  readonly channel: 'mail' | 'sms';
  readonly recipient: string;
  /** File name under templates/messages/ without `.hbs`; its first line `Subject: …` is the mail subject. */
  readonly template: string;
  readonly vars: Record<string, unknown>;
  readonly dedupeKey: string;
  readonly memberId?: string | null;
}

const compiled = new Map<string, Handlebars.TemplateDelegate>();
const handlebars = Handlebars.create();

function render(template: string, vars: Record<string, unknown>): { subject: string | null; body: string } {
  let fn = compiled.get(template);
  if (!fn) {
    const source = readFileSync(path.join(TEMPLATES_DIR, 'messages', `${template}.hbs`), 'utf8');
    // Plain text, not HTML: no HTML escaping of names and reasons.
    fn = handlebars.compile(source, { noEscape: true, strict: true });
    compiled.set(template, fn);
  }
  const text = fn(vars).trim();
  const match = /^Subject: (.*)\n+/.exec(text);
  return match ? { subject: match[1], body: text.slice(match[0].length) } : { subject: null, body: text };
}

/**
 * Enqueues each message once per dedupe key; returns how many were new. One statement for the whole list: a
 * campaign page invites hundreds of members by mail and SMS inside its transaction, and a round trip per message
 * would be most of the page's time.
 */
export async function enqueue(manager: EntityManager, messages: readonly OutboxMessage[]): Promise<number> {
  if (messages.length === 0) return 0;
  const rows = messages.map((m) => ({ ...m, ...render(m.template, m.vars) }));
  const column = <T>(pick: (row: (typeof rows)[number]) => T) => rows.map(pick);
  const inserted: { id: string }[] = await manager.query(
    `INSERT INTO notifications (channel, recipient, member_id, template, subject, body, dedupe_key)
     SELECT * FROM unnest($1::varchar[], $2::text[], $3::uuid[], $4::text[], $5::text[], $6::text[], $7::text[])
     ON CONFLICT (dedupe_key) DO NOTHING
     RETURNING id`,
    [
      column((r) => r.channel),
      column((r) => r.recipient),
      column((r) => r.memberId ?? null),
      column((r) => r.template),
      column((r) => r.subject),
      column((r) => r.body),
      column((r) => r.dedupeKey),
    ],
  );
  return inserted.length;
}
