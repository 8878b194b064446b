import { generateInitialPassword, openInitialPassword, sealInitialPassword } from './initial-password';

describe('initial password', () => {
  it('round-trips with the same secret and not with another', () => {
    const sealed = sealInitialPassword('s'.repeat(32), 'Ab3defgh9k');
    expect(sealed).not.toContain('Ab3defgh9k');
    expect(openInitialPassword('s'.repeat(32), sealed)).toBe('Ab3defgh9k');
    expect(openInitialPassword('t'.repeat(32), sealed)).toBeNull();
    expect(openInitialPassword('s'.repeat(32), 'garbage')).toBeNull();
  });

  it('generates 10 unambiguous characters with letters and digits', () => {
    for (let i = 0; i < 50; i++) {
      const p = generateInitialPassword();
      expect(p).toMatch(/^[a-km-zA-HJ-NP-Z2-9]{10}$/);
      expect(p).toMatch(/[a-zA-Z]/);
      expect(p).toMatch(/\d/);
    }
  });
});
