import { KeyObject, webcrypto } from 'node:crypto';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';

/**
 * pkijs builds the ASN.1 structures; every signature and digest runs in Node's native WebCrypto (OpenSSL), which is
 * an order of magnitude faster than pure-JS RSA/ECDSA. The engine is passed explicitly to each call instead of
 * being installed with `pkijs.setEngine`, so no global state is shared with other users of pkijs.
 *
 * pkijs and asn1js are ESM-only: compiled CommonJS `require()`s them natively on Node 24; Jest needs
 * `--experimental-vm-modules` for that (scripts/test.sh passes it).
 */
export const cryptoEngine = new pkijs.CryptoEngine({
  name: 'node-webcrypto',
  crypto: webcrypto,
});

/** WebCrypto algorithm and hash name for a seal private key (ECDSA P-256/P-384 or RSA). */
export function signingAlgorithm(key: KeyObject): {
  algorithm: webcrypto.EcKeyImportParams | webcrypto.RsaHashedImportParams;
  hash: string;
} {
  const type = key.asymmetricKeyType;
  if (type === 'ec') {
    const curve = key.asymmetricKeyDetails?.namedCurve;
    if (curve === 'prime256v1' || curve === 'P-256')
      return { algorithm: { name: 'ECDSA', namedCurve: 'P-256' }, hash: 'SHA-256' };
    if (curve === 'secp384r1' || curve === 'P-384')
      return { algorithm: { name: 'ECDSA', namedCurve: 'P-384' }, hash: 'SHA-384' };
    throw new Error(`unsupported EC curve for the seal key: ${curve}`);
  }
  if (type === 'rsa') return { algorithm: { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' }, hash: 'SHA-256' };
  // SM2 (GM/T 0003) seal keys would need a non-WebCrypto signer; not supported here.
  throw new Error(`unsupported seal key type: ${type}`);
}

/** Imports a Node private key into WebCrypto without copying key material through JS (non-extractable). */
export function toSigningCryptoKey(key: KeyObject): webcrypto.CryptoKey {
  return key.toCryptoKey(signingAlgorithm(key).algorithm, false, ['sign']);
}

export function parseCertificate(der: Uint8Array): pkijs.Certificate {
  const asn = asn1js.fromBER(der);
  if (asn.offset === -1) throw new Error('seal certificate is not valid DER');
  return new pkijs.Certificate({ schema: asn.result });
}

export function pemToDer(pem: string, label: string): Buffer {
  const match = new RegExp(`-----BEGIN ${label}-----([\\s\\S]+?)-----END ${label}-----`).exec(pem);
  if (!match) throw new Error(`no ${label} PEM block found`);
  return Buffer.from(match[1].replace(/\s+/g, ''), 'base64');
}

export function derToPem(der: Uint8Array, label: string): string {
  const lines =
    Buffer.from(der)
      .toString('base64')
      .match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join('\n')}\n-----END ${label}-----\n`;
}
