import * as path from 'node:path';
import sharp from 'sharp';
import type { BrowserPool } from './browser-pool';
import { CertificateRenderer, type CertificateView, findTemplateDir, formatDate } from './certificate-renderer';
import { sha256 } from './hash';
import { qrPngDataUrl, qrSvgDataUrl } from './qr';
import { arcLayout, starPoints } from './seal-artwork';

// R1: the certificate's content. Rendering to PDF with Chromium is covered in test/integration/pdf.
describe('CertificateRenderer HTML (R1)', () => {
  // renderHtml never touches the pool.
  const renderer = new CertificateRenderer({} as BrowserPool);
  let view: CertificateView;
  beforeAll(async () => {
    const photoJpeg = await sharp({ create: { width: 30, height: 40, channels: 3, background: '#888' } })
      .jpeg()
      .toBuffer();
    view = {
      certificateNo: '110000000123',
      version: 2,
      name: '张<script>alert(1)</script>',
      gender: 'female',
      photoJpeg,
      instituteName: '北京注册会计师协会',
      joinedOn: '2019-03-01',
      approvalDocNo: '京注协〔2019〕12号 "&\'',
      latestInspection: { year: 2023, passedOn: '2024-04-30' },
      issuedOn: new Date('2024-12-31T17:00:00Z'), // 2025-01-01 01:00 in Beijing
      verifyUrl: 'https://verify.example.cn/v/110000000123?t=2.abc',
    };
  });

  it('prints every field of R1 in Chinese', async () => {
    const html = await renderer.renderHtml(view);
    for (const text of [
      '中国注册会计师协会',
      '非执业会员证',
      '（电子）',
      '110000000123',
      '女',
      '非执业会员',
      '北京注册会计师协会',
      '2019年3月1日',
      '2023年度 通过（2024年4月30日）',
      '2025年1月1日',
      '第 2 版',
      '扫码验证',
      'data:image/jpeg;base64,',
    ]) {
      expect(html).toContain(text);
    }
    expect(html.startsWith('<!DOCTYPE html>')).toBe(true);
    // Two seal images: the national body's and the institute's.
    expect(html.match(/class='seal' src='data:image\/svg\+xml;base64,/g)).toHaveLength(2);
  });

  it('escapes member data: no markup from the name or document number reaches the page', async () => {
    const html = await renderer.renderHtml(view);
    expect(html).toContain('张&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).not.toMatch(/<script/i);
    expect(html).toContain('京注协〔2019〕12号 &quot;&amp;&#x27;');
  });

  it('prints 暂无 without an inspection', async () => {
    const html = await renderer.renderHtml({ ...view, latestInspection: null });
    expect(html).toMatch(/最近年检<\/th><td colspan='3'>暂无<\/td>/);
  });

  it('draws the institute name on its seal, escaped', async () => {
    const html = await renderer.renderHtml({ ...view, instituteName: '<b>&协会' });
    const seals = [...html.matchAll(/class='seal' src='data:image\/svg\+xml;base64,([^']+)'/g)].map((m) =>
      Buffer.from(m[1].replace(/&#x3D;/g, '='), 'base64').toString('utf8'),
    );
    expect(seals[0]).toContain('>中<');
    expect(seals[1]).toContain('&lt;');
    expect(seals[1]).toContain('&amp;');
    expect(seals[1]).not.toContain('<b>');
  });

  it('rejects a photo that is not a JPEG and malformed identifiers', async () => {
    const png = Buffer.from('89504e470d0a1a0a', 'hex');
    await expect(renderer.renderHtml({ ...view, photoJpeg: png })).rejects.toThrow(/JPEG/);
    await expect(renderer.renderHtml({ ...view, certificateNo: '1100' })).rejects.toThrow(/12 digits/);
    await expect(renderer.renderHtml({ ...view, verifyUrl: 'javascript:alert(1)' })).rejects.toThrow(/http/);
    await expect(renderer.renderHtml({ ...view, name: ' ' })).rejects.toThrow(/name/);
  });

  it('finds the template directory from source and from compiled output locations', () => {
    const root = path.resolve(__dirname, '../../..');
    expect(findTemplateDir()).toBe(path.join(root, 'templates/certificates'));
    expect(findTemplateDir(path.join(root, 'dist/libs/pdf/src'))).toBe(path.join(root, 'templates/certificates'));
    expect(() => findTemplateDir('/')).toThrow(/not found/);
  });
});

describe('formatDate', () => {
  it('formats stored dates literally and instants in Beijing time', () => {
    expect(formatDate('2021-03-05')).toBe('2021年3月5日');
    expect(formatDate(new Date('2021-03-04T16:30:00Z'))).toBe('2021年3月5日');
    expect(() => formatDate('5/3/2021')).toThrow(/YYYY-MM-DD/);
  });
});

describe('seal artwork geometry', () => {
  it('spreads a name symmetrically over the upper arc, smaller type for longer names', () => {
    const short = arcLayout('中国注册会计师协会');
    const long = arcLayout('内蒙古自治区注册会计师协会');
    expect(short.map((c) => c.char).join('')).toBe('中国注册会计师协会');
    expect(Number(short[0].angle)).toBeCloseTo(-Number(short.at(-1)!.angle));
    expect(Number(long[0].angle)).toBeLessThan(Number(short[0].angle));
    expect(Number(long[0].fontSize)).toBeLessThan(Number(short[0].fontSize));
  });

  it('draws a five-pointed star with its first point straight up', () => {
    const points = starPoints(100, 100, 30).split(' ');
    expect(points).toHaveLength(10);
    expect(points[0]).toBe('100.00,70.00');
  });
});

describe('qr data URLs', () => {
  it('produces non-empty SVG and PNG data URLs', async () => {
    const svg = await qrSvgDataUrl('https://verify.example.cn/v/110000000123?t=1.x');
    expect(svg).toMatch(/^data:image\/svg\+xml;base64,[A-Za-z0-9+/]{500,}={0,2}$/);
    expect(Buffer.from(svg.split(',')[1], 'base64').toString()).toContain('<svg');
    const png = await qrPngDataUrl('https://verify.example.cn/v/110000000123?t=1.x');
    expect(Buffer.from(png.split(',')[1], 'base64').subarray(0, 4).toString('latin1')).toBe('\x89PNG');
  });
});

describe('sha256', () => {
  it('is lower-case hex SHA-256', () => {
    expect(sha256('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    expect(sha256(Buffer.from('abc'))).toBe(sha256('abc'));
  });
});
