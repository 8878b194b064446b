/**
 * Certificate number (证书编号): 12 digits, the 2-digit code of the issuing local institute
 * (see provinces.ts) followed by a 10-digit serial. It is also the member's number: log-in
 * name, workflow ids (`claim-<memberNo>`) and the key of every certificate version.
 *
 * Serials come from a database counter per institute and are never reused, so a number
 * identifies one member for good. A member who transfers to another institute keeps the
 * number: the prefix names the institute that admitted the member, not necessarily the
 * current one.
 */
const SERIAL_DIGITS = 10;
const MAX_SERIAL = 10 ** SERIAL_DIGITS - 1;
const CERTIFICATE_NO = /^(\d{2})(\d{10})$/;

export const CERTIFICATE_NO_LENGTH = 2 + SERIAL_DIGITS;

/** `formatCertificateNo('11', 42)` → `'110000000042'`. Serials start at 1; bigint serials from the DB are accepted. */
export function formatCertificateNo(provinceCode: string, serial: number | bigint | string): string {
  if (!/^\d{2}$/.test(provinceCode)) throw new RangeError(`institute code must be 2 digits: ${provinceCode}`);
  const value = BigInt(serial);
  if (value < 1n || value > BigInt(MAX_SERIAL)) {
    throw new RangeError(`certificate serial out of range 1..${MAX_SERIAL}: ${serial}`);
  }
  return provinceCode + value.toString().padStart(SERIAL_DIGITS, '0');
}

/** Shape check only (12 digits, serial ≥ 1); whether the number was issued is the database's business. */
export function isCertificateNo(s: unknown): s is string {
  if (typeof s !== 'string') return false;
  const match = CERTIFICATE_NO.exec(s);
  return match !== null && match[2] !== '0000000000';
}

/** The 2-digit code of the institute that issued the number, or undefined when `s` is not a certificate number. */
export function provinceOfCertificateNo(s: string): string | undefined {
  return isCertificateNo(s) ? s.slice(0, 2) : undefined;
}

/** The serial part as a number (10 digits fit well within Number.MAX_SAFE_INTEGER). */
export function serialOfCertificateNo(s: string): number | undefined {
  return isCertificateNo(s) ? Number(s.slice(2)) : undefined;
}
