import { cosineSimilarity, decideOutcome, PhotoComparisonUnavailableError } from './photo-comparison';

describe('decideOutcome', () => {
  it('matches at or above the threshold and not below', () => {
    expect(decideOutcome(1, 0.57, 0.57, 'p')).toEqual({
      outcome: 'match',
      score: 0.57,
      threshold: 0.57,
      provider: 'p',
    });
    expect(decideOutcome(1, 0.5699, 0.57, 'p').outcome).toBe('noMatch');
  });

  it('reports the face count of the candidate before any score', () => {
    expect(decideOutcome(0, 0.99, 0.5, 'p')).toEqual({ outcome: 'noFace', score: null, threshold: 0.5, provider: 'p' });
    expect(decideOutcome(3, 0.99, 0.5, 'p')).toMatchObject({ outcome: 'multipleFaces', score: null });
  });

  it('cannot decide one face without a score', () => {
    expect(() => decideOutcome(1, null, 0.5, 'p')).toThrow(PhotoComparisonUnavailableError);
    expect(() => decideOutcome(1, Number.NaN, 0.5, 'p')).toThrow(PhotoComparisonUnavailableError);
  });
});

describe('cosineSimilarity', () => {
  it('is 1 for parallel vectors, 0 for orthogonal or opposite ones', () => {
    expect(cosineSimilarity([1, 2, 3], [2, 4, 6])).toBeCloseTo(1, 10);
    expect(cosineSimilarity([1, 0], [0, 1])).toBe(0);
    expect(cosineSimilarity([1, 0], [-1, 0])).toBe(0);
    expect(cosineSimilarity([0, 0], [1, 0])).toBe(0);
  });

  it('refuses embeddings of different lengths', () => {
    expect(() => cosineSimilarity([1], [1, 2])).toThrow(/lengths differ/);
  });
});
