import { plainToInstance, type ClassConstructor } from 'class-transformer';
import { validate } from 'class-validator';
import type { FastifyRequest } from 'fastify';
import sharp from 'sharp';
import { Errors, type FieldError } from './app-exception';
import { flatten } from './validation';

export interface UploadedFile {
  readonly field: string;
  readonly filename: string;
  readonly data: Buffer;
  /** The part's declared Content-Type, when the client sent one (the content is what gets checked). */
  readonly contentType?: string;
}

export const MAX_ATTACHMENT_BYTES = 5 * 1024 * 1024;
export const MAX_ATTACHMENTS = 8;

/**
 * Reads a multipart form into its text fields and files. Oversized files and too many files
 * are reported as field errors (400) before anything is stored.
 */
export async function readMultipart(
  request: FastifyRequest,
): Promise<{ fields: Record<string, string>; files: UploadedFile[] }> {
  if (!request.isMultipart()) {
    throw Errors.validation([{ field: 'body', messages: ['请以 multipart/form-data 方式提交表单和附件'] }]);
  }
  const fields: Record<string, string> = {};
  const files: UploadedFile[] = [];
  try {
    for await (const part of request.parts({ limits: { fileSize: MAX_ATTACHMENT_BYTES, files: MAX_ATTACHMENTS } })) {
      if (part.type === 'file') {
        const data = await part.toBuffer();
        if (data.length)
          files.push({ field: part.fieldname, filename: part.filename, data, contentType: part.mimetype });
      } else if (typeof part.value === 'string') {
        fields[part.fieldname] = part.value;
      }
    }
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code === 'FST_REQ_FILE_TOO_LARGE') {
      throw Errors.validation([
        { field: 'attachments', messages: [`每个附件不超过 ${MAX_ATTACHMENT_BYTES / 1024 / 1024} MB`] },
      ]);
    }
    if (code === 'FST_FILES_LIMIT_ERROR' || code === 'FST_FILES_LIMIT') {
      throw Errors.validation([{ field: 'attachments', messages: [`附件最多 ${MAX_ATTACHMENTS} 个`] }]);
    }
    throw error;
  }
  return { fields, files };
}

/** Class-validator over plain form fields; returns the instance and the problems, without throwing. */
export async function validateFields<T extends object>(
  cls: ClassConstructor<T>,
  plain: Record<string, unknown>,
): Promise<{ value: T; problems: FieldError[] }> {
  const value = plainToInstance(cls, plain);
  const errors = await validate(value, { whitelist: true, forbidUnknownValues: false });
  return { value, problems: flatten(errors) };
}

/**
 * What a file really is, by its content (not its name): a JPEG that decodes, or a PDF with
 * header and end marker. Anything else is refused.
 */
export async function sniffAttachment(data: Buffer): Promise<'image/jpeg' | 'application/pdf' | null> {
  if (data.length >= 3 && data[0] === 0xff && data[1] === 0xd8 && data[2] === 0xff) {
    const meta = await sharp(data)
      .metadata()
      .catch(() => null);
    return meta?.format === 'jpeg' && (meta.width ?? 0) > 0 ? 'image/jpeg' : null;
  }
  if (data.subarray(0, 5).toString('latin1') === '%PDF-' && data.subarray(-1024).toString('latin1').includes('%%EOF')) {
    return 'application/pdf';
  }
  return null;
}
