import { spawnSync } from 'node:child_process';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { PDFDocument } from 'pdf-lib';
import {
  BrowserPool,
  CertificateRenderer,
  type CertificateView,
  ensureDevKeys,
  loadKeys,
  PdfSealer,
  QrTokenService,
} from '@app/pdf';
import { testPhoto } from '../../factories/photos';

// R1 (content), R2 (QR verification) and R9 (electronic seal) end to end: real Chromium renders the certificate,
// the PdfSealer signs it, and third-party tools check the result: poppler's pdfsig validates the PAdES signature,
// pdftoppm + zbarimg scan the printed QR code, pdftotext reads the printed text.

jest.setTimeout(30_000);

function run(command: string, args: string[]): { stdout: string; stderr: string; status: number | null } {
  const result = spawnSync(command, args, { encoding: 'utf8', timeout: 20_000 });
  if (result.error) throw result.error;
  return { stdout: result.stdout, stderr: result.stderr, status: result.status };
}

describe('e-certificate PDF (R1, R2, R9)', () => {
  const certificateNo = '110000000123';
  const version = 3;
  const baseUrl = 'https://verify.cicpa.example.cn';
  let dir: string;
  let pool: BrowserPool;
  let qr: QrTokenService;
  let sealerCommonName: string;
  let verifyUrl: string;
  let sealedPath: string;
  let sealed: Buffer;

  beforeAll(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'pdf-it-'));
    const keys = await loadKeys(await ensureDevKeys(path.join(dir, 'keys')));
    qr = new QrTokenService(keys.qrKey);
    pool = await BrowserPool.create({ size: 2 });
    const renderer = new CertificateRenderer(pool);
    const sealer = new PdfSealer({ key: keys.sealKey, certificate: keys.sealCertificate });
    sealerCommonName = sealer.signerCommonName;

    const photoJpeg = await testPhoto();
    verifyUrl = qr.verifyUrl(baseUrl, certificateNo, version);
    const view: CertificateView = {
      certificateNo,
      version,
      name: '张<script>alert(1)</script>',
      gender: 'male',
      photoJpeg,
      instituteName: '北京注册会计师协会',
      joinedOn: '2019-03-01',
      approvalDocNo: '京注协〔2019〕12号',
      latestInspection: { year: 2023, passedOn: '2024-04-30' },
      issuedOn: '2025-01-02',
      verifyUrl,
    };
    const pdf = await renderer.render(view);
    sealed = await sealer.seal(pdf, { reason: '电子非执业会员证签发', location: '北京', name: '中国注册会计师协会' });
    sealedPath = path.join(dir, 'certificate.pdf');
    await fs.writeFile(sealedPath, sealed);
  });

  afterAll(async () => {
    await pool?.close();
    if (dir) await fs.rm(dir, { recursive: true, force: true });
  });

  it('is one A5 landscape page', async () => {
    const document = await PDFDocument.load(sealed);
    expect(document.getPageCount()).toBe(1);
    const { width, height } = document.getPage(0).getSize();
    expect(width).toBeCloseTo((210 / 25.4) * 72, 0);
    expect(height).toBeCloseTo((148 / 25.4) * 72, 0);
  });

  it('carries a PAdES signature that pdfsig validates, by the national body seal certificate (R9)', () => {
    const { stdout } = run('pdfsig', [sealedPath]);
    expect(stdout).toContain('Signature Validation: Signature is Valid.');
    expect(stdout).toContain(`Signer Certificate Common Name: ${sealerCommonName}`);
    expect(sealerCommonName).toBe('中国注册会计师协会电子印章(开发)');
    expect(stdout).toContain('Signature Type: ETSI.CAdES.detached');
    expect(stdout).toContain('Total document signed');
  });

  it('fails pdfsig with a digest mismatch when one signed byte changes (R9)', async () => {
    const [, firstLength] = /\/ByteRange \[(\d+) (\d+) /.exec(sealed.toString('latin1'))!.slice(1).map(Number);
    // A byte inside the photo's image stream: the file still parses, only the signed content differs.
    const image = sealed.indexOf('/Subtype /Image');
    expect(image).toBeGreaterThan(0);
    const offset = sealed.indexOf('stream', image) + 'stream\n'.length + 100;
    expect(offset).toBeLessThan(firstLength);
    const tampered = Buffer.from(sealed);
    tampered[offset] ^= 0x01;
    const tamperedPath = path.join(dir, 'tampered.pdf');
    await fs.writeFile(tamperedPath, tampered);
    const { stdout } = run('pdfsig', [tamperedPath]);
    expect(stdout).toContain('Digest Mismatch');
    expect(stdout).not.toContain('Signature is Valid');
  });

  it('prints a QR code that a scanner reads as the verification URL at 150 dpi (R2)', () => {
    const prefix = path.join(dir, 'page');
    const render = run('pdftoppm', ['-r', '150', '-png', '-f', '1', '-l', '1', sealedPath, prefix]);
    expect(render.status).toBe(0);
    const scan = run('zbarimg', ['-q', '--raw', `${prefix}-1.png`]);
    expect(scan.stdout.trim()).toBe(verifyUrl);
    // The scanned token verifies for this certificate number and version, and nothing else.
    const token = new URL(scan.stdout.trim()).searchParams.get('t')!;
    expect(qr.verifiedVersion(certificateNo, token)).toBe(version);
    expect(qr.verifiedVersion('110000000124', token)).toBeNull();
  });

  it('prints member data as text, markup included literally (escaped, not executed) (R1)', () => {
    const { stdout, status } = run('pdftotext', ['-layout', sealedPath, '-']);
    expect(status).toBe(0);
    expect(stdout).toContain('<script>alert(1)</script>');
    expect(stdout).toContain(certificateNo);
    expect(stdout).toContain('中国注册会计师协会');
    expect(stdout).toContain('非执业会员');
    expect(stdout).toContain('京注协〔2019〕12号');
  });
});

describe('certificates printed together when renders queue up (R1, R9; bench/render)', () => {
  let dir: string;
  let pool: BrowserPool;
  let renderer: CertificateRenderer;
  let sealer: PdfSealer;
  let qr: QrTokenService;
  const prints: number[] = [];

  beforeAll(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'pdf-group-'));
    const keys = await loadKeys(await ensureDevKeys(path.join(dir, 'keys')));
    qr = new QrTokenService(keys.qrKey);
    sealer = new PdfSealer({ key: keys.sealKey, certificate: keys.sealCertificate });
    // One page: while it prints the first certificate, the others queue and go together.
    pool = await BrowserPool.create({ size: 1 });
    const withPage = pool.withPage.bind(pool);
    pool.withPage = (fn) => {
      prints.push(Date.now());
      return withPage(fn);
    };
    renderer = new CertificateRenderer(pool, { maxGroup: 4 });
  });

  afterAll(async () => {
    await pool?.close();
    if (dir) await fs.rm(dir, { recursive: true, force: true });
  });

  it('prints five certificates in two prints, each its own one-page PDF with its own data, fonts and QR code', async () => {
    const names = ['赵一', '钱二', '孙三', '李四', '欧阳𠇔'];
    const photoJpeg = await testPhoto();
    const views: CertificateView[] = names.map((name, i) => {
      const certificateNo = `1100000009${String(i).padStart(2, '0')}`;
      return {
        certificateNo,
        version: 1,
        name,
        gender: i % 2 ? 'female' : 'male',
        photoJpeg,
        instituteName: i % 2 ? '北京注册会计师协会' : '上海市注册会计师协会',
        joinedOn: '2019-03-01',
        approvalDocNo: `京注协〔2019〕${i + 10}号`,
        latestInspection: { year: 2025, passedOn: '2025-06-10' },
        issuedOn: '2025-07-01',
        verifyUrl: qr.verifyUrl('https://verify.cicpa.example.cn', certificateNo, 1),
      };
    });
    // A bad certificate among them is refused alone; the others are printed.
    const bad = renderer.render({ ...views[0], certificateNo: '1100' });
    const pdfs = await Promise.all(views.map((v) => renderer.render(v)));
    await expect(bad).rejects.toThrow(/12 digits/);
    expect(prints).toHaveLength(2);

    for (const [i, pdf] of pdfs.entries()) {
      const file = path.join(dir, `c${i}.pdf`);
      const sealedPdf = await sealer.seal(pdf, {
        reason: '电子非执业会员证签发',
        location: '北京',
        name: '中国注册会计师协会',
      });
      await fs.writeFile(file, sealedPdf);
      const document = await PDFDocument.load(sealedPdf);
      expect(document.getPageCount()).toBe(1);
      expect(document.getTitle()).toBe(`电子非执业会员证 ${views[i].certificateNo}`);
      const text = run('pdftotext', ['-layout', file, '-']).stdout;
      expect(text).toContain(views[i].certificateNo);
      expect(text).toContain(names[i].replace('𠇔', ''));
      for (const other of views.filter((_, j) => j !== i)) expect(text).not.toContain(other.certificateNo);
      // Every font embedded (pdffonts' "emb" column), so the certificate prints the same everywhere.
      const fonts = run('pdffonts', [file]).stdout.split('\n').slice(2).filter(Boolean);
      expect(fonts.length).toBeGreaterThan(0);
      for (const line of fonts) expect(line).toMatch(/\byes\s+(yes|no)\s+(yes|no)\s+\d+\s+\d+\s*$/);
      expect(run('pdfsig', [file]).stdout).toContain('Signature is Valid');
      const prefix = path.join(dir, `p${i}`);
      expect(run('pdftoppm', ['-r', '150', '-png', file, prefix]).status).toBe(0);
      expect(run('zbarimg', ['-q', '--raw', `${prefix}-1.png`]).stdout.trim()).toBe(views[i].verifyUrl);
    }
  });
});
