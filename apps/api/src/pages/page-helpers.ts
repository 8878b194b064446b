import type { FastifyReply } from 'fastify';
import { beijingDateTime } from '@app/domain/beijing-date';
import { findProvince, NATIONAL_BODY_NAME } from '@app/domain/provinces';
import { STAFF_ROLE_LABELS } from '@app/domain/roles';
import { AppException, type FieldError } from '../common/app-exception';
import type { StaffPrincipal } from '../common/principal';

/** `YYYY-MM-DD HH:mm` in Beijing time, whatever the server's time zone; empty for no time. */
export function beijingTime(at: string | Date | null | undefined): string {
  if (!at) return '';
  return beijingDateTime(typeof at === 'string' ? new Date(at) : at);
}

/** How long something has waited, in Chinese, at the precision a queue needs. */
export function waitingTime(fromIso: string, until: Date = new Date()): string {
  const minutes = Math.max(0, Math.floor((until.getTime() - new Date(fromIso).getTime()) / 60_000));
  if (minutes < 1) return '不足 1 分钟';
  if (minutes < 60) return `${minutes} 分钟`;
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return `${hours} 小时 ${minutes % 60} 分`;
  return `${Math.floor(hours / 24)} 天 ${hours % 24} 小时`;
}

export interface PageError {
  status: number;
  message: string;
  /** Field name → its messages joined, for showing next to each input. */
  fields: Record<string, string>;
}

/**
 * What a page shows for one of our own errors; anything else (a bug, an outage) is rethrown
 * so the exception filter answers with the error page and logs it.
 */
export function pageError(error: unknown): PageError {
  if (!(error instanceof AppException)) throw error;
  const body = error.getResponse() as { message: string };
  return { status: error.getStatus(), message: body.message, fields: fieldMessages(error.fields ?? []) };
}

export function fieldMessages(problems: readonly FieldError[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const p of problems) out[p.field] = [out[p.field], ...p.messages].filter(Boolean).join('；');
  return out;
}

/** What the layout needs to show a staff page: who is signed in, in which role, for which organisation. */
export function staffShell(staff: StaffPrincipal) {
  return {
    principal: staff,
    roleLabel: STAFF_ROLE_LABELS[staff.role],
    organisation: staff.provinceCode ? findProvince(staff.provinceCode)?.instituteName : NATIONAL_BODY_NAME,
    console: true,
  };
}

/** A console page in the staff frame, never stored by caches (it shows members' personal data). */
export function sendStaffPage(
  reply: FastifyReply,
  staff: StaffPrincipal,
  status: number,
  template: string,
  view: Record<string, unknown>,
) {
  return reply
    .code(status)
    .header('cache-control', 'private, no-store')
    .view(template, { ...staffShell(staff), ...view });
}
