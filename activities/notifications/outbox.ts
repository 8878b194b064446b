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
import { Notification } from '@app/persistence';

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

/** Enqueues each message once per dedupe key; returns how many were new. */
export async function enqueue(manager: EntityManager, messages: readonly OutboxMessage[]): Promise<number> {
  let added = 0;
  for (const m of messages) {
    const { subject, body } = render(m.template, m.vars);
    const result = await manager
      .createQueryBuilder()
      .insert()
      .into(Notification)
      .values({
        channel: m.channel,
        recipient: m.recipient,
        memberId: m.memberId ?? null,
        template: m.template,
        subject,
        body,
        dedupeKey: m.dedupeKey,
      })
      .orIgnore()
      .execute();
    added += result.identifiers.filter(Boolean).length;
  }
  return added;
}
