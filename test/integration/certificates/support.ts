/** Shared by the certificate integration tests: members with a verified photo, log-ins, external tools. */
import { spawnSync } from 'node:child_process';
import type { DataSource } from 'typeorm';
import type { StaffRole } from '@app/domain/roles';
import { FsBlobStore, Member, Photo } from '@app/persistence';
import { createMember, createStaff, TEST_PASSWORD } from '../../factories/accounts';
import { testPhoto } from '../../factories/photos';
import { Session } from '../../support/api';

export { testPhoto };

/** A member whose certificate photo has been verified (R7 done), ready for issuance. */
export async function createMemberWithPhoto(
  ds: DataSource,
  blobDir: string,
  provinceCode: string,
  overrides: Partial<Member> = {},
): Promise<Member> {
  const member = await createMember(ds, provinceCode, overrides);
  const blobKey = await new FsBlobStore(blobDir).put(await testPhoto(), 'image/jpeg');
  await ds.getRepository(Photo).save({
    memberId: member.id,
    source: 'onSite',
    blobKey,
    contentType: 'image/jpeg',
    width: 300,
    height: 400,
    status: 'accepted',
    verifiedAt: new Date(),
  });
  return member;
}

export async function staffSession(baseUrl: string, ds: DataSource, role: StaffRole, provinceCode: string | null) {
  const staff = await createStaff(ds, role, provinceCode);
  const session = new Session(baseUrl);
  const response = await session.post('/api/auth/staff/login', { username: staff.username, password: TEST_PASSWORD });
  if (response.status !== 200) throw new Error(`staff log-in failed: ${response.status}`);
  return { staff, session };
}

export async function memberSession(baseUrl: string, certificateNo: string) {
  const session = new Session(baseUrl);
  const response = await session.post('/api/auth/member/login', { certificateNo, password: TEST_PASSWORD });
  if (response.status !== 200) throw new Error(`member log-in failed: ${response.status}`);
  return session;
}

export function run(command: string, args: string[]): { stdout: string; stderr: string; status: number | null } {
  const result = spawnSync(command, args, { encoding: 'utf8', timeout: 30_000 });
  if (result.error) throw result.error;
  return { stdout: result.stdout, stderr: result.stderr, status: result.status };
}

/** The verification URL printed as the QR code on page 1, read by a scanner from a 150-dpi rendering. */
export function scanQr(pdfPath: string, prefix: string): string {
  const render = run('pdftoppm', ['-r', '150', '-png', '-f', '1', '-l', '1', pdfPath, prefix]);
  if (render.status !== 0) throw new Error(`pdftoppm failed: ${render.stderr}`);
  return run('zbarimg', ['-q', '--raw', `${prefix}-1.png`]).stdout.trim();
}

/** Flips one bit inside the first signed byte range (an image stream), as pdfsig's tamper check expects. */
export function tamper(pdf: Buffer): Buffer {
  const image = pdf.indexOf('/Subtype /Image');
  if (image < 0) throw new Error('no image in the PDF');
  const offset = pdf.indexOf('stream', image) + 'stream\n'.length + 100;
  const copy = Buffer.from(pdf);
  copy[offset] ^= 0x01;
  return copy;
}

/** multipart/form-data body with one file field, as a browser's upload form sends it. */
export function pdfUpload(pdf: Buffer, name = 'certificate.pdf'): FormData {
  const form = new FormData();
  form.append('file', new Blob([new Uint8Array(pdf)], { type: 'application/pdf' }), name);
  return form;
}
