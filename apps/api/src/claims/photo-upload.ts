import sharp from 'sharp';
import type { FieldError } from '../common/app-exception';

export const PHOTO_MIN_WIDTH = 240;
export const PHOTO_MIN_HEIGHT = 320;
export const PHOTO_MAX_SIDE = 4096;

/**
 * Chinese problems with a certificate photo upload, by its content (not its name): a JPEG that decodes, within the
 * size and dimension limits. Face counting belongs to `@app/photo`'s validateMemberPhoto, which is not wired in yet.
 */
export async function photoUploadProblems(
  data: Buffer | undefined,
  maxBytes: number,
  field = 'photo',
): Promise<{ problems: FieldError[]; width: number; height: number }> {
  const fail = (message: string) => ({ problems: [{ field, messages: [message] }], width: 0, height: 0 });
  if (!data?.length) return fail('请上传证件照（JPG 格式）');
  if (data.length > maxBytes) {
    return fail(`照片不超过 ${(maxBytes / 1024 / 1024).toFixed(1).replace(/\.0$/, '')} MB，请压缩后重新上传`);
  }
  if (!(data[0] === 0xff && data[1] === 0xd8 && data[2] === 0xff)) {
    return fail('照片须为 JPG 格式（文件内容不是 JPG 图片，仅修改扩展名无效）');
  }
  const meta = await sharp(data)
    .metadata()
    .catch(() => null);
  const decodes =
    meta?.format === 'jpeg' &&
    (await sharp(data)
      .stats()
      .then(
        () => true,
        () => false,
      ));
  if (!meta || !decodes) return fail('照片文件已损坏或不是有效的 JPG 图片，请重新导出后上传');
  const width = meta.width ?? 0;
  const height = meta.height ?? 0;
  if (width < PHOTO_MIN_WIDTH || height < PHOTO_MIN_HEIGHT) {
    return fail(`照片尺寸过小（${width}×${height} 像素），至少 ${PHOTO_MIN_WIDTH}×${PHOTO_MIN_HEIGHT} 像素`);
  }
  if (width > PHOTO_MAX_SIDE || height > PHOTO_MAX_SIDE) {
    return fail(`照片尺寸过大（${width}×${height} 像素），长宽均不超过 ${PHOTO_MAX_SIDE} 像素`);
  }
  return { problems: [], width, height };
}
