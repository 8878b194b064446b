/**
 * Signed certificates per second: CertificateRenderer (Handlebars → Chromium page.pdf()) + PdfSealer (PAdES), with
 * a BrowserPool sized to the cores and as many certificates in flight as the pool has pages.
 *
 * Baseline, measured in the same run on the same pool ("Chromium's floor"): the same pages printing a trivial
 * one-line page (`<p>x</p>`, same paper size) to PDF, i.e. what page.setContent + page.pdf + the pool's reset
 * cost with nothing to lay out. Batches alternate floor, render, render, floor so that drift in machine load
 * (the development machine is shared) hits both sides alike.
 *
 * Env: BENCH_RENDER_N certificates per side (default 60), BENCH_RENDER_WARMUP (default 2 × pool size),
 * BENCH_POOL_SIZE (default os.availableParallelism()), BENCH_POOL_BROWSERS (default 1, the production layout).
 * Prints, never asserts; exits non-zero only if something crashes.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { PROVINCES } from '@app/domain/provinces';
import {
  BrowserPool,
  CertificateRenderer,
  type CertificateView,
  ensureDevKeys,
  loadKeys,
  PdfSealer,
  QrTokenService,
} from '@app/pdf';
import { testPhoto } from '../test/factories/photos';

const TARGET_RATIO = 0.6;
const PAPER = { width: '210mm', height: '148mm', pageRanges: '1' } as const; // as CertificateRenderer prints

function envInt(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isSafeInteger(value) || value < 1) throw new Error(`${name} must be a positive integer: ${raw}`);
  return value;
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

/** Runs `task(i)` for i in [0, n) with `concurrency` in flight; returns the wall time in ms. */
async function runBatch(n: number, concurrency: number, task: (i: number) => Promise<void>): Promise<number> {
  let next = 0;
  const start = performance.now();
  await Promise.all(
    Array.from({ length: Math.min(concurrency, n) }, async () => {
      while (next < n) await task(next++);
    }),
  );
  return performance.now() - start;
}

async function main(): Promise<void> {
  const n = envInt('BENCH_RENDER_N', 60);
  const size = envInt('BENCH_POOL_SIZE', availableParallelism());
  const browsers = envInt('BENCH_POOL_BROWSERS', 1);
  const warmup = envInt('BENCH_RENDER_WARMUP', 2 * size);

  const dir = await mkdtemp(path.join(tmpdir(), 'bench-render-'));
  const pool = await BrowserPool.create({ size, browsers });
  try {
    const keys = await loadKeys(await ensureDevKeys(path.join(dir, 'keys')));
    const qr = new QrTokenService(keys.qrKey);
    const sealer = new PdfSealer({ key: keys.sealKey, certificate: keys.sealCertificate });
    const renderer = new CertificateRenderer(pool);
    const photoJpeg = await testPhoto();

    const view = (i: number): CertificateView => {
      const province = PROVINCES[i % PROVINCES.length];
      const certificateNo = `${province.code}${String(i + 1).padStart(10, '0')}`;
      return {
        certificateNo,
        version: 1,
        name: i % 2 ? '欧阳明远' : '张伟',
        gender: i % 2 ? 'male' : 'female',
        photoJpeg,
        instituteName: province.instituteName,
        joinedOn: '2019-03-01',
        approvalDocNo: `${province.name}注协〔2019〕${(i % 90) + 10}号`,
        latestInspection: { year: 2024, passedOn: '2025-04-30' },
        issuedOn: '2025-06-01',
        verifyUrl: qr.verifyUrl('https://verify.cicpa.example.cn', certificateNo, 1),
      };
    };

    // Per-phase timings. render() calls this.renderHtml, so wrapping that method on the instance times the real
    // path; "pdf" is then render() minus html: waiting for a page, setContent + page.pdf, the reset to about:blank.
    const htmlMs = new WeakMap<CertificateView, number>();
    const plainRenderHtml = renderer.renderHtml.bind(renderer);
    renderer.renderHtml = async (v: CertificateView): Promise<string> => {
      const t = performance.now();
      const html = await plainRenderHtml(v);
      htmlMs.set(v, performance.now() - t);
      return html;
    };
    const phases = { html: [] as number[], pdf: [] as number[], seal: [] as number[], total: [] as number[] };
    let bytes = 0;

    const certificate = async (i: number, record: boolean): Promise<void> => {
      const v = view(i);
      const t0 = performance.now();
      const pdf = await renderer.render(v);
      const t1 = performance.now();
      const sealed = await sealer.seal(pdf, {
        reason: '电子非执业会员证签发',
        location: '北京',
        name: '中国注册会计师协会',
      });
      const t2 = performance.now();
      if (record) {
        const html = htmlMs.get(v) ?? 0;
        phases.html.push(html);
        phases.pdf.push(t1 - t0 - html);
        phases.seal.push(t2 - t1);
        phases.total.push(t2 - t0);
        bytes += sealed.length;
      }
    };

    const trivial = async (): Promise<void> => {
      await pool.withPage(async (page) => {
        await page.setContent('<p>x</p>', { waitUntil: 'load' });
        await page.pdf(PAPER);
      });
    };

    // Warm-up: JIT, fonts loaded into the renderers, pdf-lib and pkijs code paths.
    await runBatch(warmup, size, () => trivial());
    await runBatch(warmup, size, (i) => certificate(100_000 + i, false));

    const half = Math.ceil(n / 2);
    const rest = n - half;
    let floorMs = 0;
    let renderMs = 0;
    floorMs += await runBatch(half, size, () => trivial());
    renderMs += await runBatch(half, size, (i) => certificate(i, true));
    renderMs += await runBatch(rest, size, (i) => certificate(half + i, true));
    floorMs += await runBatch(rest, size, () => trivial());

    const renderRate = (n / renderMs) * 1000;
    const floorRate = (n / floorMs) * 1000;
    const layout = browsers === 1 ? `pool ${size}` : `pool ${size}, ${browsers} browsers`;
    const f = (x: number, d = 1) => x.toFixed(d);
    console.log(
      `render: ${f(renderRate)} signed certificates/s (${layout}) | floor: ${f(floorRate)} trivial PDFs/s | ` +
        `ratio ${f(renderRate / floorRate, 2)} (target ≥ ${TARGET_RATIO})`,
    );
    console.log(
      `render: per certificate, median ms: html ${f(median(phases.html))}, pdf ${f(median(phases.pdf))}, ` +
        `seal ${f(median(phases.seal))}, total ${f(median(phases.total))} | ` +
        `floor ${f((floorMs / n) * size)} ms per trivial PDF and page | ` +
        `${n} certificates, ${size} in flight, ~${Math.round(bytes / n / 1024)} KB signed`,
    );
  } finally {
    await pool.close();
    await rm(dir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
