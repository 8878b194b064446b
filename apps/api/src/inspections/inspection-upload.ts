import type { FastifyRequest } from 'fastify';
import { Errors } from '../common/app-exception';

/** An inspection file of 50,000 rows is ≈ 2 MB as CSV; 10 MB leaves room and matches the multipart plugin's cap. */
export const MAX_INSPECTION_FILE_BYTES = 10 * 1024 * 1024;

/**
 * Reads the `file` part (and any text fields) of an inspection upload. Not `readMultipart`: its 5 MB cap is for
 * attachments, and this needs one named file.
 */
export async function readInspectionUpload(
  request: FastifyRequest,
): Promise<{ fileName: string; data: Buffer; fields: Record<string, string> }> {
  if (!request.isMultipart()) {
    throw Errors.validation([{ field: 'file', messages: ['请以 multipart/form-data 方式上传文件'] }]);
  }
  const fields: Record<string, string> = {};
  let file: { fileName: string; data: Buffer } | undefined;
  try {
    for await (const part of request.parts({ limits: { fileSize: MAX_INSPECTION_FILE_BYTES, files: 1 } })) {
      if (part.type === 'file') {
        const data = await part.toBuffer();
        if (part.fieldname === 'file' && data.length) file = { fileName: part.filename, data };
      } else if (typeof part.value === 'string') {
        fields[part.fieldname] = part.value;
      }
    }
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code === 'FST_REQ_FILE_TOO_LARGE') {
      throw Errors.validation([{ field: 'file', messages: ['文件不超过 10 MB，请分成几个文件上传'] }]);
    }
    if (code === 'FST_FILES_LIMIT_ERROR' || code === 'FST_FILES_LIMIT') {
      throw Errors.validation([{ field: 'file', messages: ['每次只能上传一个文件'] }]);
    }
    throw error;
  }
  if (!file) throw Errors.validation([{ field: 'file', messages: ['请选择要上传的 CSV 或 Excel（.xlsx）文件'] }]);
  return { ...file, fields };
}
