import { birthDateOfIdNumber, genderOfIdNumber, idNumberCheckDigit, isValidIdNumber, makeIdNumber } from './id-number';
import { Prng } from '../../persistence/src/seed/prng';

describe('ID numbers (GB 11643)', () => {
  // The two specimens printed in GB 11643-1999.
  it.each([
    ['11010519491231002', 'X'],
    ['44052418800101001', '4'],
  ])('check digit of %s is %s', (first17, check) => {
    expect(idNumberCheckDigit(first17)).toBe(check);
  });

  // ISO 7064 MOD 11-2 computed from its definition (weights 2^(n-1) mod 11, check = (12 - sum mod 11) mod 11),
  // independently of the weight table in the implementation.
  it('agrees with ISO 7064 MOD 11-2 computed from its definition', () => {
    const prng = new Prng(11643);
    for (let n = 0; n < 5000; n++) {
      const first17 = prng.digits(17);
      let sum = 0;
      for (let i = 0; i < 17; i++) sum += Number(first17[i]) * (2 ** (17 - i) % 11);
      const value = (12 - (sum % 11)) % 11;
      expect(idNumberCheckDigit(first17)).toBe(value === 10 ? 'X' : String(value));
    }
  });

  it('accepts valid numbers and rejects a wrong check digit, a bad date or a bad shape', () => {
    expect(isValidIdNumber('11010519491231002X')).toBe(true);
    expect(isValidIdNumber('110105194912310021')).toBe(false);
    expect(isValidIdNumber('11010519491231002x')).toBe(false);
    expect(isValidIdNumber('110105194902300028')).toBe(false); // 30 February, whatever the check digit
    expect(isValidIdNumber('11010519491231002')).toBe(false);
  });

  it('generates numbers whose check digit, birth date and gender are right', () => {
    const prng = new Prng(7);
    for (let i = 0; i < 2000; i++) {
      const gender = prng.chance(0.5) ? 'M' : 'F';
      const dob = `${prng.int(1950, 2004)}-${String(prng.int(1, 12)).padStart(2, '0')}-${String(prng.int(1, 28)).padStart(2, '0')}`;
      const id = makeIdNumber(`${prng.int(11, 65)}0102`, dob, prng.int(0, 999), gender);
      expect(isValidIdNumber(id)).toBe(true);
      expect(birthDateOfIdNumber(id)).toBe(dob);
      expect(genderOfIdNumber(id)).toBe(gender);
    }
  });

  it('makes the sequence digit odd for men and even for women', () => {
    expect(makeIdNumber('110105', '1980-01-01', 998, 'F').slice(14, 17)).toBe('998');
    expect(makeIdNumber('110105', '1980-01-01', 998, 'M').slice(14, 17)).toBe('999');
    expect(makeIdNumber('110105', '1980-01-01', 999, 'F').slice(14, 17)).toBe('998');
  });
});
