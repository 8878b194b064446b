import { ageInYears, beijingDateTime, beijingToday, beijingYear } from './beijing-date';

describe('dates in Beijing', () => {
  it('is already tomorrow in Beijing from 16:00 UTC', () => {
    expect(beijingToday(new Date('2026-11-26T15:59:59Z'))).toBe('2026-11-26');
    expect(beijingToday(new Date('2026-11-26T16:00:00Z'))).toBe('2026-11-27');
  });

  it('writes a moment to the minute in Beijing', () => {
    expect(beijingDateTime(new Date('2026-11-26T16:05:59Z'))).toBe('2026-11-27 00:05');
  });

  it('starts the new year at 16:00 UTC on 31 December', () => {
    expect(beijingYear(new Date('2026-12-31T15:59:59Z'))).toBe(2026);
    expect(beijingYear(new Date('2026-12-31T16:00:00Z'))).toBe(2027);
  });

  it('counts an age from the birthday in Beijing', () => {
    // 18 on 2026-11-27 in Beijing, which begins at 2026-11-26T16:00Z.
    expect(ageInYears('2008-11-27', new Date('2026-11-26T15:59:59Z'))).toBe(17);
    expect(ageInYears('2008-11-27', new Date('2026-11-26T16:00:00Z'))).toBe(18);
    expect(ageInYears('2008-02-29', new Date('2026-02-28T12:00:00Z'))).toBe(17);
    expect(ageInYears('2008-02-29', new Date('2026-03-01T12:00:00Z'))).toBe(18);
  });
});
