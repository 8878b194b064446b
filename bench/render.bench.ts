/**
 * Signed certificates per second: CertificateRenderer (Handlebars → Chromium page.pdf()) + PdfSealer (PAdES), with
 * a BrowserPool sized to the cores and as many certificates in flight as the render worker takes
 * (RENDER_POOL_SIZE × RENDER_MAX_GROUP): renders that queue up are printed in groups of up to RENDER_MAX_GROUP per
 * Chromium document and split into one PDF each (CertificateRenderer.render).
 *
 * Baseline, measured in the same run on the same pool ("Chromium's floor"): the same pages printing a trivial
 * one-line page (`<p>x</p>`, same paper size) to PDF, i.e. what page.setContent + page.pdf + the pool's reset
 * cost with nothing to lay out. Also in the same run, for comparison: the same certificates one per print
 * (maxGroup 1, pool-size in flight: how certificateIssuance renders a single certificate when nothing else is
 * queued). Batches alternate floor, grouped, single, single, grouped, floor so that drift in machine load (the
 * development machine is shared) hits every side alike.
 *
 * Env: BENCH_RENDER_N certificates per side (default 100), BENCH_RENDER_WARMUP (default 2 × pool size × group),
 * BENCH_POOL_SIZE (default os.availableParallelism()), BENCH_POOL_BROWSERS (default 1, the production layout),
 * BENCH_RENDER_MAX_GROUP (default 10, as RENDER_MAX_GROUP). Prints, never asserts; exits non-zero only if
 * something crashes.
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
  const n = envInt('BENCH_RENDER_N', 100);
  const size = envInt('BENCH_POOL_SIZE', availableParallelism());
  const browsers = envInt('BENCH_POOL_BROWSERS', 1);
  const maxGroup = envInt('BENCH_RENDER_MAX_GROUP', 10);
  const warmup = envInt('BENCH_RENDER_WARMUP', 2 * size * maxGroup);

  const dir = await mkdtemp(path.join(tmpdir(), 'bench-render-'));
  const pool = await BrowserPool.create({ size, browsers });
  try {
    const keys = await loadKeys(await ensureDevKeys(path.join(dir, 'keys')));
    const qr = new QrTokenService(keys.qrKey);
    const sealer = new PdfSealer({ key: keys.sealKey, certificate: keys.sealCertificate });
    const grouped = new CertificateRenderer(pool, { maxGroup });
    const single = new CertificateRenderer(pool, { maxGroup: 1 });
    const photoJpeg = await testPhoto();
    let prints = 0;
    const withPage = pool.withPage.bind(pool);
    pool.withPage = (fn) => {
      prints++;
      return withPage(fn);
    };

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

    const sides = {
      grouped: { ms: 0, prints: 0, render: [] as number[], seal: [] as number[], bytes: 0 },
      single: { ms: 0, prints: 0, render: [] as number[], seal: [] as number[], bytes: 0 },
    };
    const certificate =
      (renderer: CertificateRenderer, side?: (typeof sides)['grouped']) =>
      async (i: number): Promise<void> => {
        const t0 = performance.now();
        const pdf = await renderer.render(view(i));
        const t1 = performance.now();
        const sealed = await sealer.seal(pdf, {
          reason: '电子非执业会员证签发',
          location: '北京',
          name: '中国注册会计师协会',
        });
        if (side) {
          side.render.push(t1 - t0);
          side.seal.push(performance.now() - t1);
          side.bytes += sealed.length;
        }
      };
    const trivial = async (): Promise<void> => {
      await pool.withPage(async (page) => {
        await page.setContent('<p>x</p>', { waitUntil: 'load' });
        await page.pdf(PAPER);
      });
    };
    const timed = async (
      side: (typeof sides)['grouped'],
      count: number,
      concurrency: number,
      task: (i: number) => Promise<void>,
    ) => {
      const before = prints;
      side.ms += await runBatch(count, concurrency, task);
      side.prints += prints - before;
    };

    // Warm-up: JIT, fonts loaded into the renderers, pdf-lib and pkijs code paths.
    await runBatch(warmup, size, () => trivial());
    await runBatch(warmup, size * maxGroup, certificate(grouped));
    await runBatch(2 * size, size, certificate(single));

    const half = Math.ceil(n / 2);
    const rest = n - half;
    let floorMs = 0;
    floorMs += await runBatch(half, size, () => trivial());
    await timed(sides.grouped, half, size * maxGroup, certificate(grouped, sides.grouped));
    await timed(sides.single, half, size, certificate(single, sides.single));
    await timed(sides.single, rest, size, certificate(single, sides.single));
    await timed(sides.grouped, rest, size * maxGroup, certificate(grouped, sides.grouped));
    floorMs += await runBatch(rest, size, () => trivial());

    const floorRate = (n / floorMs) * 1000;
    const rate = (side: (typeof sides)['grouped']) => (n / side.ms) * 1000;
    const layout = browsers === 1 ? `pool ${size}` : `pool ${size}, ${browsers} browsers`;
    const f = (x: number, d = 1) => x.toFixed(d);
    console.log(
      `render: ${f(rate(sides.grouped))} signed certificates/s (${layout}, up to ${maxGroup} a print) | ` +
        `floor: ${f(floorRate)} trivial PDFs/s | ratio ${f(rate(sides.grouped) / floorRate, 2)} (target ≥ ${TARGET_RATIO})`,
    );
    console.log(
      `render: one certificate a print: ${f(rate(sides.single))}/s, ratio ${f(rate(sides.single) / floorRate, 2)} | ` +
        `grouped: ${sides.grouped.prints} prints for ${n} certificates (${f(n / sides.grouped.prints)} a print)`,
    );
    console.log(
      `render: per certificate, median ms: grouped render ${f(median(sides.grouped.render))} (queue included), ` +
        `seal ${f(median(sides.grouped.seal))}; one a print: render ${f(median(sides.single.render))}, ` +
        `seal ${f(median(sides.single.seal))} | floor ${f((floorMs / n) * size)} ms per trivial PDF and page | ` +
        `~${Math.round(sides.grouped.bytes / n / 1024)} KB signed grouped, ~${Math.round(sides.single.bytes / n / 1024)} KB one a print`,
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
