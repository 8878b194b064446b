import { Inject, Injectable, Module, OnApplicationShutdown } from '@nestjs/common';
import { existsSync } from 'node:fs';
import { APP_CONFIG, type AppConfig } from '@app/config';
import { BrowserPool } from '../browser-pool';
import { CertificateRenderer } from '../certificate-renderer';
import { FontCoverage } from '../font-coverage';
import { ensureDevKeys, loadKeys, type LoadedKeys } from '../keys';
import { QrTokenService } from '../qr-token';
import { PdfSealer } from '../sealer';

export const SEAL_KEYS = Symbol('SEAL_KEYS');

/**
 * The seal and QR keys named in config. Outside production, missing keys are generated into
 * KEYS_DIR on first start; in production a missing key stops the start.
 */
export async function provideKeys(config: AppConfig): Promise<LoadedKeys> {
  const { keyPath, certPath, qrKeyPath } = config.seal;
  const missing = [keyPath, certPath, qrKeyPath].some((p) => !existsSync(p));
  if (missing && config.nodeEnv !== 'production') {
    const generated = await ensureDevKeys(config.storage.keysDir);
    return loadKeys(generated);
  }
  return loadKeys({ sealKeyPath: keyPath, sealCertPath: certPath, qrKeyPath });
}

/** Closes Chromium with the application. */
@Injectable()
class BrowserPoolCloser implements OnApplicationShutdown {
  constructor(private readonly pool: BrowserPool) {}
  async onApplicationShutdown(): Promise<void> {
    await this.pool.close();
  }
}

@Module({
  providers: [
    { provide: SEAL_KEYS, inject: [APP_CONFIG], useFactory: provideKeys },
    {
      provide: BrowserPool,
      inject: [APP_CONFIG],
      // Cold: the worker warms it when it serves the render queue (WorkerHost), so a registry-only worker never
      // starts Chromium (about 1 GB for a pool of 10 pages).
      useFactory: (c: AppConfig) =>
        BrowserPool.create({ executablePath: c.render.chromiumPath, size: c.render.poolSize, warm: false }),
    },
    BrowserPoolCloser,
    {
      provide: CertificateRenderer,
      inject: [BrowserPool, APP_CONFIG],
      useFactory: (pool: BrowserPool, c: AppConfig) => new CertificateRenderer(pool, { maxGroup: c.render.maxGroup }),
    },
    {
      provide: PdfSealer,
      inject: [SEAL_KEYS],
      useFactory: (k: LoadedKeys) => new PdfSealer({ key: k.sealKey, certificate: k.sealCertificate }),
    },
    { provide: QrTokenService, inject: [SEAL_KEYS], useFactory: (k: LoadedKeys) => new QrTokenService(k.qrKey) },
    { provide: FontCoverage, useFactory: () => new FontCoverage() },
  ],
  exports: [BrowserPool, CertificateRenderer, PdfSealer, QrTokenService, FontCoverage, SEAL_KEYS],
})
export class PdfModule {}

export const InjectSealKeys = () => Inject(SEAL_KEYS);
