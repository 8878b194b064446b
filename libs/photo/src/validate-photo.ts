/**
 * Checks a member photo at upload (R7b/R7c: "an ID photo in JPG"), before it is stored or
 * compared, so that the member learns at once what to fix. Problems are in Chinese: they are
 * shown to the member or to institute staff as they are.
 */
import sharp from 'sharp';
import { type PhotoComparisonProvider, PhotoComparisonUnavailableError } from './photo-comparison';

export interface PhotoLimits {
  maxBytes: number;
  minWidth: number;
  minHeight: number;
  maxWidth: number;
  maxHeight: number;
}

export const DEFAULT_PHOTO_LIMITS: PhotoLimits = {
  maxBytes: 2 * 1024 * 1024,
  minWidth: 240,
  minHeight: 320,
  maxWidth: 4000,
  maxHeight: 4000,
};

export interface PhotoValidation {
  ok: boolean;
  problems: string[];
  /** Upright size in pixels (EXIF orientation applied); absent when the file is not a readable JPEG. */
  width?: number;
  height?: number;
  /** Faces found, when a provider was given and could answer. */
  faces?: number;
}

export interface ValidateOptions extends Partial<PhotoLimits> {
  /** The Content-Type the upload declared (multipart part header), when known. */
  declaredType?: string;
}

const JPEG_SOI = Buffer.from([0xff, 0xd8, 0xff]);

export async function validateMemberPhoto(
  buffer: Buffer,
  provider?: PhotoComparisonProvider,
  options: ValidateOptions = {},
): Promise<PhotoValidation> {
  const limits = { ...DEFAULT_PHOTO_LIMITS, ...definedOnly(options) };
  const problems: string[] = [];

  if (
    options.declaredType !== undefined &&
    !/^image\/(jpeg|jpg|pjpeg)$/i.test(options.declaredType.split(';')[0].trim())
  ) {
    problems.push(`上传的文件类型为“${options.declaredType}”，照片须为 JPG（image/jpeg）格式。`);
  }
  if (buffer.length === 0) return { ok: false, problems: [...problems, '照片文件为空，请重新选择。'] };
  if (buffer.length > limits.maxBytes) {
    problems.push(`照片文件过大（${formatBytes(buffer.length)}），不能超过 ${formatBytes(limits.maxBytes)}。`);
  }
  // The content decides, not the file name or declared type: a renamed PNG is refused here.
  if (!buffer.subarray(0, 3).equals(JPEG_SOI)) {
    problems.push('文件内容不是 JPG 格式的照片，请上传 JPG（.jpg/.jpeg）文件。');
    return { ok: false, problems };
  }

  let width: number;
  let height: number;
  try {
    const meta = await sharp(buffer).metadata();
    if (meta.format !== 'jpeg' || !meta.width || !meta.height) throw new Error(`format ${meta.format}`);
    // Orientations 5–8 are rotated by 90°: the member sees the photo upright, so check it upright.
    const turned = (meta.orientation ?? 1) >= 5;
    width = turned ? meta.height : meta.width;
    height = turned ? meta.width : meta.height;
  } catch {
    problems.push('照片文件头已损坏，无法识别为 JPG 照片，请重新导出后上传。');
    return { ok: false, problems };
  }

  const sizeOk =
    width >= limits.minWidth && height >= limits.minHeight && width <= limits.maxWidth && height <= limits.maxHeight;
  if (!sizeOk) {
    problems.push(
      `照片尺寸为 ${width}×${height} 像素，应在 ${limits.minWidth}×${limits.minHeight} 至 ${limits.maxWidth}×${limits.maxHeight} 像素之间（宽×高）。`,
    );
    return { ok: false, problems, width, height };
  }

  // Decoding every pixel catches files whose header is fine but whose data is cut off or corrupt.
  try {
    await sharp(buffer, { failOn: 'truncated' }).resize(32, 32, { fit: 'inside' }).raw().toBuffer();
  } catch {
    problems.push('照片文件不完整或已损坏，无法解码，请重新导出后上传。');
    return { ok: false, problems, width, height };
  }

  let faces: number | undefined;
  if (provider && problems.length === 0) {
    try {
      faces = await provider.countFaces(buffer);
      if (faces === 0) problems.push('照片中未检测到人脸，请上传本人正面免冠、五官清晰的照片。');
      else if (faces > 1) problems.push(`照片中检测到 ${faces} 张人脸，照片中只能有本人一人。`);
    } catch (error) {
      // Face counting is a courtesy check: when the service is down the upload is still
      // accepted, and the comparison (or on-site review) that follows decides.
      if (!(error instanceof PhotoComparisonUnavailableError)) throw error;
    }
  }
  return { ok: problems.length === 0, problems, width, height, faces };
}

function definedOnly(options: ValidateOptions): Partial<PhotoLimits> {
  const out: Partial<PhotoLimits> = {};
  for (const key of ['maxBytes', 'minWidth', 'minHeight', 'maxWidth', 'maxHeight'] as const) {
    if (options[key] !== undefined) out[key] = options[key];
  }
  return out;
}

function formatBytes(bytes: number): string {
  if (bytes >= 1024 * 1024) return `${+(bytes / 1024 / 1024).toFixed(2)} MB`;
  if (bytes >= 1024) return `${+(bytes / 1024).toFixed(1)} KB`;
  return `${bytes} 字节`;
}
