import { maskDateOfBirth, maskEmail, maskMobile } from './masking';

describe('masking of personal data for the public (R2)', () => {
  it('keeps the first 3 and last 4 digits of a mobile number', () => {
    expect(maskMobile('13812345678')).toBe('138****5678');
    expect(maskMobile('123')).toBe('***');
  });

  it('keeps only the first character of the local part of an e-mail address', () => {
    expect(maskEmail('wang.xiaoming@example.com')).toBe('w***@example.com');
    expect(maskEmail('not-an-address')).toBe('***');
  });

  it('keeps only the year of the date of birth', () => {
    expect(maskDateOfBirth('1985-07-21')).toBe('1985-**-**');
    expect(maskDateOfBirth('garbage')).toBe('****-**-**');
  });
});
