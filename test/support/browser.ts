/** Headless Debian Chromium for browser tests (Puppeteer never downloads a browser here). */
import puppeteer, { type Browser, type HTTPResponse, type Page } from 'puppeteer-core';
import { track } from './open-resources';

export function launchBrowser(): Promise<Browser> {
  const root = process.getuid?.() === 0;
  const launching = puppeteer.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    headless: true,
    args: [
      ...(root ? ['--no-sandbox'] : []),
      '--disable-gpu',
      '--disable-dev-shm-usage',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
  return track('Chromium', launching);
}

/** Clicks `selector` and waits for the page it submits to; the response of that navigation. */
export async function submitAndWait(page: Page, selector: string): Promise<HTTPResponse> {
  const [response] = await Promise.all([page.waitForNavigation(), page.click(selector)]);
  return response!;
}

/** Reloads `url` until `selector` is on the page (the workflow moves on in the background). */
export async function reloadUntil(page: Page, url: string, selector: string): Promise<void> {
  for (let i = 0; i < 300; i++) {
    await page.goto(url);
    if (await page.$(selector)) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`gave up waiting for ${selector} on ${url}`);
}

/** Polls until `probe` answers (the workflow works in the background), then returns its answer. */
export async function eventually<T>(what: string, probe: () => Promise<T | null | undefined>): Promise<T> {
  for (let i = 0; i < 300; i++) {
    const found = await probe();
    if (found) return found;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`gave up waiting for ${what}`);
}

export const text = (page: Page, selector: string) => page.$eval(selector, (el) => el.textContent?.trim() ?? '');
export const attr = (page: Page, selector: string, name: string) =>
  page.$eval(selector, (el, n) => el.getAttribute(n), name);
