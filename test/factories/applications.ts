/** Test data for membership applications: valid form fields and real attachment files. */
import sharp from 'sharp';
import { idNumberCheckDigit } from '@app/domain/id-number';

let sequence = Math.floor(Math.random() * 900);

/** A valid, unique 18-digit ID number for someone born in 1990. */
export function uniqueIdNumber(): string {
  sequence = (sequence + 1) % 1000;
  const day = String(1 + Math.floor(Math.random() * 28)).padStart(2, '0');
  const month = String(1 + Math.floor(Math.random() * 12)).padStart(2, '0');
  const first17 = `110105${1970 + Math.floor(Math.random() * 30)}${month}${day}${String(sequence).padStart(3, '0')}`;
  return first17 + idNumberCheckDigit(first17);
}

export async function jpeg(width = 240, height = 320): Promise<Buffer> {
  return sharp({ create: { width, height, channels: 3, background: { r: 200, g: 210, b: 230 } } })
    .jpeg()
    .toBuffer();
}

export function pdf(): Buffer {
  return Buffer.from('%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n', 'latin1');
}

export function applicationFields(
  provinceCode: string,
  overrides: Record<string, string> = {},
): Record<string, string> {
  return {
    name: '张三丰',
    idNumber: uniqueIdNumber(),
    mobile: '13912345678',
    email: 'applicant@example.com',
    provinceCode,
    admissionRoute: 'exam',
    examPassYear: '2018',
    examPassCertNo: 'QK2018001234',
    education: '本科',
    employer: '某会计师事务所',
    ...overrides,
  };
}

export interface FilePart {
  field: string;
  name: string;
  data: Buffer;
  type?: string;
}

export function formData(fields: Record<string, string>, files: FilePart[]): FormData {
  const form = new FormData();
  for (const [k, v] of Object.entries(fields)) form.append(k, v);
  for (const f of files)
    form.append(f.field, new Blob([new Uint8Array(f.data)], { type: f.type ?? 'application/octet-stream' }), f.name);
  return form;
}

export async function defaultFiles(): Promise<FilePart[]> {
  return [
    { field: 'idCard', name: '身份证.jpg', data: await jpeg(), type: 'image/jpeg' },
    { field: 'examCertificate', name: '全科合格证.pdf', data: pdf(), type: 'application/pdf' },
  ];
}
