import { availableParallelism } from 'node:os';
import puppeteer, { type Browser, type Page } from 'puppeteer-core';

/**
 * A fixed set of ready Chromium pages for rendering PDFs. Launching Chromium costs ~0.5–1 s and opening a page
 * tens of milliseconds, on the order of a whole certificate render, so both are paid once and pages are reused.
 *
 * Layout: `size` pages spread over `browsers` Chromium processes (each page has its own renderer process either
 * way). Measured on the 2-core development machine with the certificate template, 2 renders in flight, batches
 * alternating between a 1 × 2 and a 2 × 1 pool in the same run: in rounds where the machine was otherwise idle,
 * 1 browser × 2 pages ≈ 213–220 ms per certificate against ≈ 221–240 ms for 2 browsers × 1 page (trivial one-line
 * page: ≈ 31 vs 35 ms); while other processes loaded the CPU the 2-browser pool got a larger share of it and was
 * faster (median ≈ 330 vs 380 ms), which is scheduling, not efficiency. The difference is small either way; the
 * default is one browser with `size` pages: no slower on a machine of its own, and one Chromium process less.
 * A browser crash then fails every render in flight (withPage rejects; the issuing activity retries) while the
 * pool relaunches the browser. `browsers: size` gives the other layout for benchmarks.
 *
 * Safety: pages run with JavaScript disabled and network emulated offline. Certificate HTML is static and carries
 * every image as a data: URL, so neither is needed, and an injection that slipped past template escaping could
 * neither run script nor reach the network.
 */

export interface BrowserPoolOptions {
  /** Chromium binary; default `/usr/bin/chromium` (Debian's package). */
  readonly executablePath?: string;
  /** Pages rendering at the same time; default: number of CPU cores. */
  readonly size?: number;
  /** Chromium processes the pages are spread over (1…size); default 1 (see above). */
  readonly browsers?: number;
  /** Extra command-line switches for Chromium. */
  readonly extraArgs?: readonly string[];
  /** Default timeout of page operations; default 30 s. */
  readonly pageTimeoutMs?: number;
  /** Enable JavaScript in pages (off by default, see above). */
  readonly javaScriptEnabled?: boolean;
  /**
   * Launch Chromium and open every page in `create` (default). `false` defers it to `warm()` or the first render:
   * a process that never renders (a registry-only worker) then never starts a browser.
   */
  readonly warm?: boolean;
}

export const DEFAULT_CHROMIUM_PATH = '/usr/bin/chromium';

const BASE_ARGS = [
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  // /dev/shm is 64 MB in containers; Chromium then crashes on large pages.
  '--disable-dev-shm-usage',
];

interface BrowserSlot {
  browser: Browser | null;
  launching: Promise<Browser> | null;
  /** Bumped on every (re)launch so pages of a dead browser are recognised as stale. */
  generation: number;
}

interface PageSlot {
  readonly browserIndex: number;
  page: Page | null;
  generation: number;
  broken: boolean;
}

export class BrowserPool {
  readonly size: number;
  readonly browserCount: number;
  private readonly browsers: BrowserSlot[];
  private readonly free: PageSlot[];
  private readonly waiters: Array<{ resolve: (slot: PageSlot) => void; reject: (error: Error) => void }> = [];
  private closed = false;
  private launches = 0;

  private constructor(
    private readonly options: Required<Omit<BrowserPoolOptions, 'size' | 'browsers' | 'warm'>>,
    size: number,
    browsers: number,
  ) {
    this.size = size;
    this.browserCount = browsers;
    this.browsers = Array.from({ length: browsers }, () => ({ browser: null, launching: null, generation: 0 }));
    // Round-robin so that with fewer browsers than pages every browser carries an equal share.
    this.free = Array.from({ length: size }, (_, i) => ({
      browserIndex: i % browsers,
      page: null,
      generation: -1,
      broken: false,
    }));
  }

  /** A pool of `size` pages; by default the browsers are launched and the pages opened up front (`warm`). */
  static async create(options: BrowserPoolOptions = {}): Promise<BrowserPool> {
    const size = Math.max(1, Math.floor(options.size ?? availableParallelism()));
    const browsers = Math.min(size, Math.max(1, Math.floor(options.browsers ?? 1)));
    const pool = new BrowserPool(
      {
        executablePath: options.executablePath ?? DEFAULT_CHROMIUM_PATH,
        extraArgs: options.extraArgs ?? [],
        pageTimeoutMs: options.pageTimeoutMs ?? 30_000,
        javaScriptEnabled: options.javaScriptEnabled ?? false,
      },
      size,
      browsers,
    );
    if (options.warm ?? true) {
      try {
        await pool.warm();
      } catch (error) {
        await pool.close();
        throw error;
      }
    }
    return pool;
  }

  /** Launches the browsers and opens every free page now, so the first render does not pay for start-up. */
  async warm(): Promise<void> {
    await Promise.all(this.free.map((slot) => this.ensurePage(slot)));
  }

  /** Number of times a Chromium process was started (size of the pool at first, more after crashes). */
  get launchCount(): number {
    return this.launches;
  }

  /**
   * Runs `fn` with a page of its own; at most `size` run at once, the rest wait in FIFO order. If `fn` fails, or the
   * page or its browser crashed, the page is discarded and a fresh one (and browser, if needed) is made for the next
   * caller; otherwise the page is reset to about:blank (dropping the document and anything it holds) and reused.
   */
  async withPage<T>(fn: (page: Page) => Promise<T>): Promise<T> {
    const slot = await this.acquire();
    let ok = false;
    try {
      const page = await this.ensurePage(slot);
      const result = await fn(page);
      ok = true;
      return result;
    } finally {
      await this.release(slot, ok);
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const waiter of this.waiters.splice(0)) waiter.reject(new Error('browser pool closed'));
    await Promise.all(
      this.browsers.map(async (b) => {
        const browser = b.browser ?? (await b.launching?.catch(() => null));
        b.browser = null;
        await browser?.close().catch(() => undefined);
      }),
    );
  }

  private acquire(): Promise<PageSlot> {
    if (this.closed) return Promise.reject(new Error('browser pool closed'));
    const slot = this.free.pop();
    if (slot) return Promise.resolve(slot);
    return new Promise((resolve, reject) => this.waiters.push({ resolve, reject }));
  }

  private async release(slot: PageSlot, ok: boolean): Promise<void> {
    const browserSlot = this.browsers[slot.browserIndex];
    const stale = slot.generation !== browserSlot.generation || !browserSlot.browser?.connected;
    if (!ok || slot.broken || stale || !slot.page || slot.page.isClosed()) {
      await this.discardPage(slot);
    } else {
      try {
        await slot.page.goto('about:blank');
      } catch {
        await this.discardPage(slot);
      }
    }
    const waiter = this.waiters.shift();
    if (waiter) waiter.resolve(slot);
    else this.free.push(slot);
  }

  private async discardPage(slot: PageSlot): Promise<void> {
    const page = slot.page;
    slot.page = null;
    slot.broken = false;
    await page?.close().catch(() => undefined);
  }

  private async ensurePage(slot: PageSlot): Promise<Page> {
    if (this.closed) throw new Error('browser pool closed');
    const browserSlot = this.browsers[slot.browserIndex];
    const browser = await this.ensureBrowser(browserSlot);
    if (slot.page && !slot.page.isClosed() && slot.generation === browserSlot.generation) return slot.page;
    slot.page = null;
    const page = await browser.newPage();
    page.setDefaultTimeout(this.options.pageTimeoutMs);
    // A renderer crash ('error') leaves the Page object alive but useless; flag it so release() replaces it.
    page.on('error', () => {
      slot.broken = true;
    });
    await page.setJavaScriptEnabled(this.options.javaScriptEnabled);
    await page.setOfflineMode(true);
    slot.page = page;
    slot.generation = browserSlot.generation;
    return page;
  }

  private ensureBrowser(slot: BrowserSlot): Promise<Browser> {
    if (slot.browser?.connected) return Promise.resolve(slot.browser);
    // One launch per browser slot even if several pages find it dead at the same time.
    slot.launching ??= this.launch()
      .then((browser) => {
        slot.generation += 1;
        slot.browser = browser;
        browser.once('disconnected', () => {
          if (slot.browser === browser) slot.browser = null;
        });
        if (this.closed) {
          void browser.close().catch(() => undefined);
          throw new Error('browser pool closed');
        }
        return browser;
      })
      .finally(() => {
        slot.launching = null;
      });
    return slot.launching;
  }

  private launch(): Promise<Browser> {
    this.launches += 1;
    // Chromium refuses to start its sandbox as root (containers, CI); keep the sandbox for everyone else.
    const noSandbox = process.getuid?.() === 0 ? ['--no-sandbox'] : [];
    return puppeteer.launch({
      executablePath: this.options.executablePath,
      headless: true,
      pipe: true,
      args: [...BASE_ARGS, ...noSandbox, ...this.options.extraArgs],
    });
  }
}
