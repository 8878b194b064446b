/**
 * The real worker application as a separate process, for tests that kill a worker (SIGKILL, no shutdown) and
 * start another one. Run from source: `node -r ./bench/register.mts test/support/worker-child.ts` (the same
 * @swc/core hook the benchmarks use), with the services in the environment like the worker proper.
 *
 * `HANG_AFTER_RENDER=1`: the certificate renderer prints `RENDERED <certificateNo> v<version>` on stdout once it
 * has a PDF and then never returns, so the test can kill the process in the middle of the render activity
 * (rendered, not yet sealed or stored).
 *
 * `HANG_IN_CAMPAIGN_PAGE=1`: the campaign's first page of members is written inside its transaction, then
 * `PAGE WRITTEN <provinceCode>` is printed and the page never commits, so the test can kill the process in the
 * middle of a page. Everything else is the production WorkerModule.
 */
import 'reflect-metadata';
import { Test } from '@nestjs/testing';
import { loadConfig } from '@app/config';
import { BrowserPool, CertificateRenderer, type CertificateView } from '@app/pdf';
import { CampaignActivities } from '@app/activities/campaign/campaign.activities';
import { WorkerModule } from '../../apps/worker/src/worker.module';

class HangingRenderer extends CertificateRenderer {
  override async render(view: CertificateView): Promise<Buffer> {
    await super.render(view);
    process.stdout.write(`RENDERED ${view.certificateNo} v${view.version}\n`);
    return new Promise<Buffer>(() => undefined);
  }
}

/** Wraps the private page step of the campaign's batch activity (no seam for it in production code, on purpose). */
function hangInFirstCampaignPage(): void {
  const prototype = CampaignActivities.prototype as unknown as Record<string, (...args: unknown[]) => Promise<unknown>>;
  const processPage = prototype.processPage;
  let hung = false;
  prototype.processPage = async function (this: unknown, ...args: unknown[]) {
    const written = await processPage.apply(this, args);
    if (hung) return written;
    hung = true;
    const input = args[1] as { provinceCode: string };
    process.stdout.write(`PAGE WRITTEN ${input.provinceCode}\n`);
    return new Promise(() => undefined);
  };
}

async function main(): Promise<void> {
  const config = loadConfig();
  if (process.env.HANG_IN_CAMPAIGN_PAGE === '1') hangInFirstCampaignPage();
  let builder = Test.createTestingModule({ imports: [WorkerModule.forRoot(config)] });
  if (process.env.HANG_AFTER_RENDER === '1') {
    builder = builder
      .overrideProvider(CertificateRenderer)
      .useFactory({ factory: (pool: BrowserPool) => new HangingRenderer(pool), inject: [BrowserPool] });
  }
  const app = await builder.compile();
  app.enableShutdownHooks();
  await app.init();
  process.stdout.write('WORKER READY\n');
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
