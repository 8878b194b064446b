/**
 * The port through which photo verification (R7b) asks whether a member's uploaded photo
 * shows the person on the reference photo on file. Implementations: the offline model
 * (`HumanPhotoComparisonProvider`) and an external service (`HttpPhotoComparisonProvider`).
 */
export type ComparisonOutcome = 'match' | 'noMatch' | 'noFace' | 'multipleFaces';

export interface ComparisonResult {
  outcome: ComparisonOutcome;
  /** Similarity in [0, 1]; null when the candidate had no single face to compare. */
  score: number | null;
  threshold: number;
  provider: string;
}

export interface PhotoComparisonProvider {
  readonly name: string;
  /**
   * Compares the member's uploaded photo with the reference photo on file. Throws
   * PhotoComparisonUnavailableError when it cannot answer (service down, model failure,
   * timeout).
   */
  compare(reference: Buffer, candidate: Buffer, options?: { signal?: AbortSignal }): Promise<ComparisonResult>;
  /** Faces found in a JPEG (for upload validation: exactly one face). */
  countFaces(jpeg: Buffer): Promise<number>;
}

/**
 * The provider could not answer. Callers treat it like any other failed comparison: the
 * member falls back to on-site verification (R7c), so it must never be mistaken for a
 * "no match" verdict about the member.
 */
export class PhotoComparisonUnavailableError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'PhotoComparisonUnavailableError';
  }
}

export const PHOTO_COMPARISON_PROVIDER = Symbol('PHOTO_COMPARISON_PROVIDER');

/**
 * The verdict from the candidate's face count and the similarity, shared by every provider
 * so that "match" means the same thing whichever answered. A score exactly at the
 * threshold matches (the threshold is documented as the lowest accepted score).
 */
export function decideOutcome(
  candidateFaces: number,
  score: number | null,
  threshold: number,
  provider: string,
): ComparisonResult {
  if (candidateFaces === 0) return { outcome: 'noFace', score: null, threshold, provider };
  if (candidateFaces > 1) return { outcome: 'multipleFaces', score: null, threshold, provider };
  if (score === null || !Number.isFinite(score)) {
    throw new PhotoComparisonUnavailableError(`${provider}: no similarity score for a single face`);
  }
  return { outcome: score >= threshold ? 'match' : 'noMatch', score, threshold, provider };
}

/** Cosine similarity of two face embeddings, clamped to [0, 1] (opposite vectors are simply "different"). */
export function cosineSimilarity(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length || a.length === 0) throw new Error(`embedding lengths differ (${a.length} vs ${b.length})`);
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    dot += a[i] * b[i];
    na += a[i] * a[i];
    nb += b[i] * b[i];
  }
  if (na === 0 || nb === 0) return 0;
  return Math.min(1, Math.max(0, dot / Math.sqrt(na * nb)));
}
