import { DEFAULT_PHOTO_LIMITS, validateMemberPhoto, type PhotoComparisonProvider } from '@app/photo';
import type { FieldError } from '../common/app-exception';
import type { UploadedFile } from '../common/multipart';

// The limits validateMemberPhoto enforces, for pages that tell the member before they upload.
export const PHOTO_MIN_WIDTH = DEFAULT_PHOTO_LIMITS.minWidth;
export const PHOTO_MIN_HEIGHT = DEFAULT_PHOTO_LIMITS.minHeight;
export const PHOTO_MAX_SIDE = Math.min(DEFAULT_PHOTO_LIMITS.maxWidth, DEFAULT_PHOTO_LIMITS.maxHeight);

/**
 * Chinese problems with a certificate photo upload (the member's comparison upload, the institute's on-site upload),
 * as field errors on `field`: `@app/photo`'s validateMemberPhoto — a JPG by content, not too large, a sane size,
 * decodable, exactly one face. Face counting uses the comparison provider (the offline model loads on the first
 * upload); when the provider cannot count, the upload is accepted and the comparison or on-site review decides.
 */
export async function photoUploadProblems(
  upload: UploadedFile | undefined,
  provider: PhotoComparisonProvider,
  maxBytes: number,
  field = 'photo',
): Promise<{ problems: FieldError[]; width: number; height: number }> {
  const fail = (messages: string[]) => ({ problems: [{ field, messages }], width: 0, height: 0 });
  if (!upload?.data.length) return fail(['请上传证件照（JPG 格式）']);
  const checked = await validateMemberPhoto(upload.data, provider, {
    maxBytes,
    // "application/octet-stream" only says the client did not know the type (some tools send it for any file):
    // the content decides then. A declared non-JPEG type (a PNG, a PDF) is refused with its name.
    declaredType:
      upload.contentType && upload.contentType !== 'application/octet-stream' ? upload.contentType : undefined,
  });
  if (!checked.ok) return fail(checked.problems);
  return { problems: [], width: checked.width ?? 0, height: checked.height ?? 0 };
}
