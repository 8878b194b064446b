import type { Page } from 'puppeteer-core';
import { BrowserPool } from '@app/pdf';

// The Chromium page pool behind certificate rendering (R1): bounded concurrency, reuse, recovery from crashes.

jest.setTimeout(30_000);

describe('BrowserPool', () => {
  let pool: BrowserPool;
  beforeAll(async () => {
    pool = await BrowserPool.create({ size: 2 });
  });
  afterAll(async () => {
    await pool?.close();
  });

  it('runs at most `size` callers at once and serves the rest in turn', async () => {
    let active = 0;
    let peak = 0;
    const results = await Promise.all(
      Array.from({ length: 6 }, (_, i) =>
        pool.withPage(async () => {
          active += 1;
          peak = Math.max(peak, active);
          await new Promise((resolve) => setTimeout(resolve, 50));
          active -= 1;
          return i;
        }),
      ),
    );
    expect(results).toEqual([0, 1, 2, 3, 4, 5]);
    expect(peak).toBe(2);
  });

  it('reuses pages, reset to about:blank between callers', async () => {
    const first = await pool.withPage(async (page) => {
      await page.setContent('<p>left over</p>');
      return page;
    });
    const seen = new Set<Page>();
    for (let i = 0; i < 4; i++) {
      await pool.withPage(async (page) => {
        seen.add(page);
        expect(page.url()).toBe('about:blank');
        expect(await page.content()).not.toContain('left over');
      });
    }
    expect(seen.has(first)).toBe(true);
  });

  it('renders with JavaScript disabled and the network offline', async () => {
    await pool.withPage(async (page) => {
      await page.setContent('<p id="x">static</p><script>document.getElementById("x").textContent = "ran"</script>');
      expect(await page.$eval('#x', (element) => element.textContent)).toBe('static');
      await expect(page.goto('http://127.0.0.1:9/')).rejects.toThrow(/ERR_INTERNET_DISCONNECTED/);
    });
  });

  it('replaces a page whose caller failed', async () => {
    let failed: Page | undefined;
    await expect(
      pool.withPage(async (page) => {
        failed = page;
        throw new Error('render failed');
      }),
    ).rejects.toThrow('render failed');
    expect(failed!.isClosed()).toBe(true);
    const pdf = await pool.withPage((page) => page.pdf());
    expect(Buffer.from(pdf).subarray(0, 5).toString()).toBe('%PDF-');
  });

  it('relaunches a crashed browser for the next caller', async () => {
    const launchesBefore = pool.launchCount;
    await expect(
      pool.withPage(async (page) => {
        const browser = page.browser();
        const disconnected = new Promise((resolve) => browser.once('disconnected', resolve));
        browser.process()!.kill('SIGKILL');
        await disconnected;
        await page.setContent('<p>too late</p>');
      }),
    ).rejects.toThrow();
    const results = await Promise.all([1, 2].map(() => pool.withPage((page) => page.pdf())));
    for (const pdf of results) expect(Buffer.from(pdf).subarray(0, 5).toString()).toBe('%PDF-');
    expect(pool.launchCount).toBe(launchesBefore + 1);
  });

  it('rejects callers after close', async () => {
    const small = await BrowserPool.create({ size: 1 });
    await small.close();
    await expect(small.withPage(async () => 1)).rejects.toThrow(/closed/);
  });
});
