/**
 * The real worker application as a separate process, for tests that kill a worker (SIGKILL, no shutdown) and
 * start another one. Run from source: `node -r ./bench/register.mts test/support/worker-child.ts` (the same
 * @swc/core hook the benchmarks use), with the services in the environment like the worker proper.
 *
 * `HANG_AFTER_RENDER=1`: the certificate renderer prints `RENDERED <certificateNo> v<version>` on stdout once it
 * has a PDF and then never returns, so the test can kill the process in the middle of the render activity
 * (rendered, not yet sealed or stored). Everything else is the production WorkerModule.
 */
import 'reflect-metadata';
import { Test } from '@nestjs/testing';
import { loadConfig } from '@app/config';
import { BrowserPool, CertificateRenderer, type CertificateView } from '@app/pdf';
import { WorkerModule } from '../../apps/worker/src/worker.module';

class HangingRenderer extends CertificateRenderer {
  override async render(view: CertificateView): Promise<Buffer> {
    await super.render(view);
    process.stdout.write(`RENDERED ${view.certificateNo} v${view.version}\n`);
    return new Promise<Buffer>(() => undefined);
  }
}

async function main(): Promise<void> {
  const config = loadConfig();
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
