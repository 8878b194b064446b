import {
  CERTIFICATE_NO_LENGTH,
  formatCertificateNo,
  isCertificateNo,
  provinceOfCertificateNo,
  serialOfCertificateNo,
} from './certificate-number';
import { PROVINCES } from './provinces';

describe('certificate numbers', () => {
  it('are the 2-digit institute code followed by a zero-padded 10-digit serial', () => {
    expect(formatCertificateNo('11', 42)).toBe('110000000042');
    expect(formatCertificateNo('47', 9_999_999_999)).toBe('479999999999');
    expect(formatCertificateNo('65', '123')).toBe('650000000123');
    expect(formatCertificateNo('31', 7n)).toBe('310000000007');
    expect(formatCertificateNo('11', 1)).toHaveLength(CERTIFICATE_NO_LENGTH);
  });

  it('round-trips for every institute', () => {
    for (const { code } of PROVINCES) {
      const no = formatCertificateNo(code, 1234567);
      expect(isCertificateNo(no)).toBe(true);
      expect(provinceOfCertificateNo(no)).toBe(code);
      expect(serialOfCertificateNo(no)).toBe(1234567);
    }
  });

  it('rejects serials outside 1..9999999999 and malformed institute codes', () => {
    expect(() => formatCertificateNo('11', 0)).toThrow(RangeError);
    expect(() => formatCertificateNo('11', -1)).toThrow(RangeError);
    expect(() => formatCertificateNo('11', 10_000_000_000)).toThrow(RangeError);
    expect(() => formatCertificateNo('1', 1)).toThrow(RangeError);
    expect(() => formatCertificateNo('1a', 1)).toThrow(RangeError);
    expect(() => formatCertificateNo('11', 1.5)).toThrow();
  });

  it.each([
    ['11000000004', 'too short'],
    ['1100000000420', 'too long'],
    ['11000000004X', 'not a digit'],
    ['110000000000', 'serial 0 is never issued'],
    [' 110000000042', 'whitespace'],
    ['１１0000000042', 'full-width digits'],
  ])('isCertificateNo rejects %s (%s)', (s) => {
    expect(isCertificateNo(s)).toBe(false);
    expect(provinceOfCertificateNo(s)).toBeUndefined();
  });

  it('isCertificateNo rejects non-strings', () => {
    expect(isCertificateNo(110000000042)).toBe(false);
    expect(isCertificateNo(null)).toBe(false);
    expect(isCertificateNo(undefined)).toBe(false);
  });
});
