/**
 * Photo comparison by an external service (e.g. a certified identity-verification vendor).
 *
 * Contract: `POST <url>` with `Content-Type: application/json` and
 * `{ "reference": <base64 JPEG>, "candidate": <base64 JPEG> }`; the service answers 2xx with
 * `{ "score": <number 0..1 or null>, "faces"?: <faces found on the candidate> }`. To count
 * faces only, the request carries `candidate` alone and the answer must include `faces`.
 * Anything else (non-2xx, a network error, a timeout, a malformed body) means the service
 * could not answer: PhotoComparisonUnavailableError, and the member falls back to on-site
 * verification.
 */
import {
  type ComparisonResult,
  decideOutcome,
  type PhotoComparisonProvider,
  PhotoComparisonUnavailableError,
} from './photo-comparison';

export interface HttpPhotoComparisonOptions {
  url: string;
  threshold: number;
  timeoutMs: number;
  /** Replaceable for tests; the global fetch otherwise. */
  fetch?: typeof fetch;
}

interface ServiceAnswer {
  score: number | null;
  faces?: number;
}

export class HttpPhotoComparisonProvider implements PhotoComparisonProvider {
  readonly name = 'http';

  constructor(private readonly options: HttpPhotoComparisonOptions) {}

  async compare(reference: Buffer, candidate: Buffer, options?: { signal?: AbortSignal }): Promise<ComparisonResult> {
    const answer = await this.post(
      { reference: reference.toString('base64'), candidate: candidate.toString('base64') },
      options?.signal,
    );
    // Without a face count the service vouches for exactly one face by giving a score.
    const faces = answer.faces ?? (answer.score === null ? 0 : 1);
    return decideOutcome(faces, answer.score, this.options.threshold, this.name);
  }

  async countFaces(jpeg: Buffer): Promise<number> {
    const answer = await this.post({ candidate: jpeg.toString('base64') });
    if (answer.faces === undefined)
      throw new PhotoComparisonUnavailableError('photo comparison service gave no face count');
    return answer.faces;
  }

  private async post(body: Record<string, string>, callerSignal?: AbortSignal): Promise<ServiceAnswer> {
    const timeout = AbortSignal.timeout(this.options.timeoutMs);
    const signal = callerSignal ? AbortSignal.any([callerSignal, timeout]) : timeout;
    const doFetch = this.options.fetch ?? fetch;
    let response: Response;
    let text: string;
    try {
      response = await doFetch(this.options.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json' },
        body: JSON.stringify(body),
        signal,
      });
      // The body is read under the same signal: a service that sends headers and then stalls
      // is as unavailable as one that never answers.
      text = await response.text();
    } catch (error) {
      const reason = timeout.aborted
        ? `no answer within ${this.options.timeoutMs} ms`
        : callerSignal?.aborted
          ? 'cancelled'
          : error instanceof Error
            ? error.message
            : String(error);
      throw new PhotoComparisonUnavailableError(`photo comparison service unavailable: ${reason}`, { cause: error });
    }
    if (!response.ok) {
      throw new PhotoComparisonUnavailableError(
        `photo comparison service answered ${response.status}: ${text.slice(0, 200)}`,
      );
    }
    return parseAnswer(text);
  }
}

function parseAnswer(text: string): ServiceAnswer {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new PhotoComparisonUnavailableError('photo comparison service answered with invalid JSON');
  }
  const { score, faces } = (json ?? {}) as { score?: unknown; faces?: unknown };
  const scoreOk = score === null || score === undefined || (typeof score === 'number' && score >= 0 && score <= 1);
  const facesOk = faces === undefined || (typeof faces === 'number' && Number.isInteger(faces) && faces >= 0);
  if (!scoreOk || !facesOk) {
    throw new PhotoComparisonUnavailableError(
      `photo comparison service answered an unexpected body: ${text.slice(0, 200)}`,
    );
  }
  return { score: typeof score === 'number' ? score : null, faces: faces };
}
