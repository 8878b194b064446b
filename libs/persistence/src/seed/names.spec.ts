import { generateName } from './names';
import { Prng } from './prng';

describe('generated names', () => {
  const draw = (seed: number, n: number, province = '11') => {
    const prng = new Prng(seed);
    return Array.from({ length: n }, (_, i) => generateName(prng, i % 2 ? 'M' : 'F', province));
  };

  it('are deterministic for a seed', () => {
    expect(draw(1, 50)).toEqual(draw(1, 50));
    expect(draw(1, 50)).not.toEqual(draw(2, 50));
  });

  it('are mostly Chinese names of 2 to 4 characters, with a few rare characters and dotted minority names', () => {
    const names = draw(3, 10_000);
    const kinds = new Map<string, number>();
    for (const { kind } of names) kinds.set(kind, (kinds.get(kind) ?? 0) + 1);
    expect(kinds.get('han')!).toBeGreaterThan(9_000);
    expect(kinds.get('rare')!).toBeGreaterThan(10);
    expect(kinds.get('dotted')!).toBeGreaterThan(10);
    for (const { name, kind } of names) {
      if (kind === 'dotted') expect(name).toMatch(/^[\u4e00-\u9fff]+·[\u4e00-\u9fff]+$/);
      else expect(Array.from(name).length).toBeGreaterThanOrEqual(2);
      expect(Array.from(name).length).toBeLessThanOrEqual(kind === 'dotted' ? 9 : 4);
    }
    // Characters beyond the Basic Multilingual Plane (surrogate pairs in UTF-16) occur.
    expect(names.some(({ name }) => Array.from(name).some((c) => c.codePointAt(0)! > 0xffff))).toBe(true);
  });

  it('give Xinjiang many dotted names', () => {
    const dotted = draw(4, 1000, '65').filter((n) => n.kind === 'dotted').length;
    expect(dotted).toBeGreaterThan(250);
  });
});
