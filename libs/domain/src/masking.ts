/**
 * Masking of personal data on the public verification page (R2; China's Personal Information Protection Law:
 * show the minimum by default). Staff of the member's institute and of the national body see the full values,
 * and each such view is audited.
 */

/** `13812345678` → `138****5678`; anything shorter than 7 characters is masked completely. */
export function maskMobile(mobile: string): string {
  const digits = mobile.trim();
  if (digits.length < 7) return '*'.repeat(digits.length || 4);
  return `${digits.slice(0, 3)}${'*'.repeat(digits.length - 7)}${digits.slice(-4)}`;
}

/** `wang.xiaoming@example.com` → `w***@example.com`: the domain says little about a person, the local part a lot. */
export function maskEmail(email: string): string {
  const at = email.lastIndexOf('@');
  if (at < 1) return '***';
  return `${email[0]}***${email.slice(at)}`;
}

/** `1985-07-21` → `1985-**-**`: the year alone does not identify anyone. */
export function maskDateOfBirth(date: string): string {
  const match = /^(\d{4})-\d{2}-\d{2}$/.exec(date);
  return match ? `${match[1]}-**-**` : '****-**-**';
}
