import { createPublicKey } from 'node:crypto';
import { APP_CONFIG, type AppConfig } from '@app/config';
import { QrTokenVerifier } from '@app/pdf';
import { provideKeys } from '@app/pdf/nest/pdf.module';

/**
 * The public halves the API needs to verify: the QR token public key and the seal certificate. The API reads the
 * configured key files (generating development keys on first start, as the worker does) and keeps only the public
 * parts; signing happens on the worker.
 */
export interface VerificationKeys {
  readonly qr: QrTokenVerifier;
  readonly qrPublicKeyPem: string;
  readonly sealCertificate: Buffer;
  readonly sealCertificatePem: string;
}

export const VERIFICATION_KEYS = Symbol('VERIFICATION_KEYS');

export const verificationKeysProvider = {
  provide: VERIFICATION_KEYS,
  inject: [APP_CONFIG],
  useFactory: async (config: AppConfig): Promise<VerificationKeys> => {
    const keys = await provideKeys(config);
    const qr = new QrTokenVerifier(createPublicKey(keys.qrKey));
    return {
      qr,
      qrPublicKeyPem: qr.publicKeyPem(),
      sealCertificate: keys.sealCertificate,
      sealCertificatePem: keys.sealCertificatePem,
    };
  },
};
