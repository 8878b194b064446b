import sharp from 'sharp';
import { type PhotoComparisonProvider, PhotoComparisonUnavailableError } from './photo-comparison';
import { validateMemberPhoto } from './validate-photo';

/** A plain grey JPEG of the given size (content does not matter without a provider). */
const jpeg = (width: number, height: number, options: sharp.JpegOptions = {}) =>
  sharp({ create: { width, height, channels: 3, background: '#888' } })
    .jpeg(options)
    .toBuffer();

const counting = (faces: number | Error): PhotoComparisonProvider => ({
  name: 'fake',
  compare: () => Promise.reject(new Error('not used')),
  countFaces: () => (faces instanceof Error ? Promise.reject(faces) : Promise.resolve(faces)),
});

describe('validateMemberPhoto', () => {
  it('accepts a JPEG of ID-photo size and returns its dimensions', async () => {
    expect(await validateMemberPhoto(await jpeg(358, 441))).toEqual({
      ok: true,
      problems: [],
      width: 358,
      height: 441,
      faces: undefined,
    });
  });

  it('refuses a PNG or anything else by content, whatever its name', async () => {
    const png = await sharp({ create: { width: 300, height: 400, channels: 3, background: '#888' } })
      .png()
      .toBuffer();
    for (const file of [png, Buffer.from('%PDF-1.7'), Buffer.from('hello')]) {
      const result = await validateMemberPhoto(file);
      expect(result.ok).toBe(false);
      expect(result.problems).toEqual(['文件内容不是 JPG 格式的照片，请上传 JPG（.jpg/.jpeg）文件。']);
    }
    expect((await validateMemberPhoto(Buffer.alloc(0))).problems).toEqual(['照片文件为空，请重新选择。']);
  });

  it('refuses a JPEG signature followed by a broken header, and a truncated file', async () => {
    const broken = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.alloc(200, 0x41)]);
    expect((await validateMemberPhoto(broken)).problems).toEqual([expect.stringContaining('文件头已损坏')]);

    const whole = await jpeg(400, 500, { progressive: false });
    const cut = whole.subarray(0, Math.floor(whole.length / 2));
    const result = await validateMemberPhoto(cut);
    expect(result.ok).toBe(false);
    expect(result.problems).toEqual([expect.stringContaining('不完整或已损坏')]);
  });

  it('refuses an upload declared as another type', async () => {
    const result = await validateMemberPhoto(await jpeg(300, 400), undefined, { declaredType: 'image/png' });
    expect(result.problems).toEqual([expect.stringContaining('“image/png”')]);
    expect((await validateMemberPhoto(await jpeg(300, 400), undefined, { declaredType: 'image/jpeg' })).ok).toBe(true);
  });

  it('refuses a file over the size limit', async () => {
    // Noise does not compress: a 300×400 JPEG of it is far over 10 KB.
    const noise = Buffer.from(Array.from({ length: 300 * 400 * 3 }, (_, i) => (i * 7919) % 251));
    const photo = await sharp(noise, { raw: { width: 300, height: 400, channels: 3 } })
      .jpeg({ quality: 95 })
      .toBuffer();
    const result = await validateMemberPhoto(photo, undefined, { maxBytes: 10 * 1024 });
    expect(result.problems).toEqual([expect.stringMatching(/^照片文件过大（.+ KB），不能超过 10 KB。$/)]);
    // 2 MB by default: a 2.5 MB file (a JPEG with a large comment) is refused.
    const big = Buffer.concat([
      photo.subarray(0, 2),
      Buffer.from([0xff, 0xfe, 0xff, 0xff]),
      Buffer.alloc(2.5 * 1024 * 1024),
    ]);
    expect((await validateMemberPhoto(big)).problems[0]).toContain('不能超过 2 MB');
  });

  it('refuses dimensions outside 240×320 to 4000×4000', async () => {
    for (const [w, h] of [
      [200, 320],
      [240, 300],
      [4001, 3000],
      [3000, 4100],
    ]) {
      const result = await validateMemberPhoto(await jpeg(w, h));
      expect(result).toMatchObject({ ok: false, width: w, height: h });
      expect(result.problems).toEqual([`照片尺寸为 ${w}×${h} 像素，应在 240×320 至 4000×4000 像素之间（宽×高）。`]);
    }
    expect((await validateMemberPhoto(await jpeg(240, 320))).ok).toBe(true);
  });

  it('checks the upright size of a photo rotated by EXIF', async () => {
    // Stored 400×300 (landscape) with orientation 6: shown 300×400, an acceptable portrait.
    const rotated = await sharp({ create: { width: 400, height: 300, channels: 3, background: '#888' } })
      .withMetadata({ orientation: 6 })
      .jpeg()
      .toBuffer();
    expect(await validateMemberPhoto(rotated)).toMatchObject({ ok: true, width: 300, height: 400 });
  });

  it('asks the provider for exactly one face', async () => {
    const photo = await jpeg(300, 400);
    expect(await validateMemberPhoto(photo, counting(1))).toMatchObject({ ok: true, faces: 1 });
    expect((await validateMemberPhoto(photo, counting(0))).problems).toEqual([
      '照片中未检测到人脸，请上传本人正面免冠、五官清晰的照片。',
    ]);
    expect((await validateMemberPhoto(photo, counting(2))).problems).toEqual([
      '照片中检测到 2 张人脸，照片中只能有本人一人。',
    ]);
  });

  it('accepts the upload when the provider cannot count, but not when it is broken', async () => {
    const photo = await jpeg(300, 400);
    const down = counting(new PhotoComparisonUnavailableError('down'));
    expect(await validateMemberPhoto(photo, down)).toMatchObject({ ok: true, faces: undefined });
    await expect(validateMemberPhoto(photo, counting(new TypeError('bug')))).rejects.toThrow('bug');
  });
});
