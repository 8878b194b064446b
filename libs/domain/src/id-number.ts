/**
 * Resident identity card numbers (居民身份证号码, GB 11643-1999): 6-digit region code,
 * 8-digit birth date, 3-digit sequence (odd for men, even for women) and a check digit
 * (ISO 7064 MOD 11-2, where 10 is written X). The seed generates them; the check is what
 * every form that takes an ID number must validate too.
 */
const WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const CHECK_CHARS = '10X98765432';

/** The check character for the first 17 digits. */
export function idNumberCheckDigit(first17: string): string {
  if (!/^\d{17}$/.test(first17)) throw new RangeError(`expected 17 digits: ${first17}`);
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += Number(first17[i]) * WEIGHTS[i];
  return CHECK_CHARS[sum % 11];
}

/** Format, check digit and a real calendar birth date. */
export function isValidIdNumber(s: string): boolean {
  if (!/^\d{17}[\dX]$/.test(s)) return false;
  if (idNumberCheckDigit(s.slice(0, 17)) !== s[17]) return false;
  const y = Number(s.slice(6, 10));
  const m = Number(s.slice(10, 12));
  const d = Number(s.slice(12, 14));
  const date = new Date(Date.UTC(y, m - 1, d));
  return y >= 1900 && date.getUTCFullYear() === y && date.getUTCMonth() === m - 1 && date.getUTCDate() === d;
}

/** `YYYY-MM-DD` birth date encoded in an ID number. */
export function birthDateOfIdNumber(s: string): string {
  return `${s.slice(6, 10)}-${s.slice(10, 12)}-${s.slice(12, 14)}`;
}

/** 'M' for an odd sequence digit, 'F' for an even one. */
export function genderOfIdNumber(s: string): 'M' | 'F' {
  return Number(s[16]) % 2 === 1 ? 'M' : 'F';
}

/**
 * Builds a valid ID number. `sequence` is 0..999; its last digit is adjusted to the
 * gender's parity.
 */
export function makeIdNumber(region: string, dateOfBirth: string, sequence: number, gender: 'M' | 'F'): string {
  if (!/^\d{6}$/.test(region)) throw new RangeError(`region must be 6 digits: ${region}`);
  if (!/^\d{4}-\d{2}-\d{2}$/.test(dateOfBirth)) throw new RangeError(`date must be YYYY-MM-DD: ${dateOfBirth}`);
  let seq = Math.trunc(sequence) % 1000;
  if ((seq % 2 === 1) !== (gender === 'M')) seq = seq === 999 ? 998 : seq + 1;
  const first17 = region + dateOfBirth.replaceAll('-', '') + String(seq).padStart(3, '0');
  return first17 + idNumberCheckDigit(first17);
}
