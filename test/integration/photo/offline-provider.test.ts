/**
 * R7b photo comparison with the offline model on real photographs (test/fixtures/faces:
 * public-domain portraits). Scores are asserted against the configured threshold, so a change
 * of the default threshold or of the model is caught here.
 */
import { loadConfig } from '@app/config';
import {
  HumanPhotoComparisonProvider,
  PhotoComparisonUnavailableError,
  providePhotoComparison,
  validateMemberPhoto,
} from '@app/photo';
import { astronautReworked, face, pattern, twoFaces } from './faces';

const config = loadConfig({ DATABASE_URL: 'postgres://u@127.0.0.1/x', SESSION_SECRET: 'x'.repeat(32) });
const provider = providePhotoComparison(config);
const threshold = config.photo.threshold;

describe('offline photo comparison (R7b)', () => {
  it('is the offline provider by default', () => {
    expect(provider).toBeInstanceOf(HumanPhotoComparisonProvider);
    expect(provider.name).toBe('offline');
  });

  it('matches the same face re-cropped, re-lit, shrunk and recompressed', async () => {
    const result = await provider.compare(face('astronaut.jpg'), await astronautReworked());
    expect(result).toMatchObject({ outcome: 'match', threshold, provider: 'offline' });
    expect(result.score).toBeGreaterThanOrEqual(threshold);
  });

  it('matches two different photographs of the same person', async () => {
    const result = await provider.compare(face('obama-1.jpg'), face('obama-2.jpg'));
    expect(result.outcome).toBe('match');
    expect(result.score).toBeGreaterThanOrEqual(threshold);
  });

  it.each([
    ['astronaut.jpg', 'grace-hopper.jpg'],
    ['astronaut.jpg', 'obama-1.jpg'],
    ['grace-hopper.jpg', 'obama-2.jpg'],
    ['obama-1.jpg', 'biden.jpg'],
    ['obama-2.jpg', 'biden.jpg'],
  ])('does not match %s with %s (different people)', async (reference, candidate) => {
    const result = await provider.compare(face(reference), face(candidate));
    expect(result.outcome).toBe('noMatch');
    expect(result.score).toBeLessThan(threshold);
  });

  it('answers noFace for a photo without a face', async () => {
    for (const candidate of [face('coffee.jpg'), await pattern()]) {
      expect(await provider.compare(face('astronaut.jpg'), candidate)).toEqual({
        outcome: 'noFace',
        score: null,
        threshold,
        provider: 'offline',
      });
    }
  });

  it('answers multipleFaces for two people side by side', async () => {
    const result = await provider.compare(face('astronaut.jpg'), await twoFaces());
    expect(result).toMatchObject({ outcome: 'multipleFaces', score: null });
  });

  it('counts faces', async () => {
    expect(await provider.countFaces(face('grace-hopper.jpg'))).toBe(1);
    expect(await provider.countFaces(await twoFaces())).toBe(2);
    expect(await provider.countFaces(face('coffee.jpg'))).toBe(0);
  });

  it('cannot answer without a face on the reference photo, for an undecodable photo, or when cancelled', async () => {
    await expect(provider.compare(face('coffee.jpg'), face('astronaut.jpg'))).rejects.toThrow(
      PhotoComparisonUnavailableError,
    );
    await expect(provider.compare(face('astronaut.jpg'), Buffer.from('not an image'))).rejects.toThrow(
      PhotoComparisonUnavailableError,
    );
    const cancelled = new AbortController();
    cancelled.abort();
    await expect(
      provider.compare(face('astronaut.jpg'), face('astronaut.jpg'), { signal: cancelled.signal }),
    ).rejects.toThrow(PhotoComparisonUnavailableError);
  });

  it('refuses uploads with no face or two faces, and accepts a portrait', async () => {
    const ok = await validateMemberPhoto(face('grace-hopper.jpg'), provider);
    expect(ok).toEqual({ ok: true, problems: [], width: 512, height: 600, faces: 1 });

    const none = await validateMemberPhoto(face('coffee.jpg'), provider);
    expect(none.ok).toBe(false);
    expect(none.problems).toEqual([expect.stringContaining('未检测到人脸')]);

    const two = await validateMemberPhoto(await twoFaces(), provider);
    expect(two.ok).toBe(false);
    expect(two.problems).toEqual([expect.stringContaining('检测到 2 张人脸')]);
  });
});
