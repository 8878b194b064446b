import { createPrivateKey, createPublicKey, KeyObject, sign, verify } from 'node:crypto';

/**
 * QR verification tokens (DESIGN.md, Trust → QR code; R2).
 *
 * The QR code printed on a certificate is `${baseUrl}/v/${certificateNo}?t=${token}`. The token proves that the
 * national body issued that certificate number in that version, so the public verification page can refuse to
 * show anything for a guessed number: certificate numbers are sequential and would otherwise be enumerable.
 *
 * Token format: `<version>.<base64url Ed25519 signature>`, the signature taken over the canonical message
 * `cicpa-ecert:v1:<certificateNo>:<version>`.
 * - The version travels in the token (not as a separate URL parameter) so the verifier learns which issued version
 *   was scanned without trying every version of the certificate, and can then say "superseded by a newer version".
 *   It is covered by the signature, so editing it invalidates the token.
 * - The certificate number is not repeated in the token: it is the URL path, and it is covered by the signature.
 * - `v1` in the message is the token scheme, so a future scheme can never produce a signature valid under this one.
 * Ed25519 signatures are deterministic: re-rendering the same version prints the same QR code.
 */
const MESSAGE_PREFIX = 'cicpa-ecert:v1:';

/** 12 digits, the first two the institute's code (DESIGN.md, Trust → Certificate number). */
const CERTIFICATE_NO = /^\d{12}$/;
/** `<version>.<86 base64url chars>`: a 64-byte signature is exactly 86 unpadded base64url characters. */
const TOKEN = /^([1-9]\d{0,8})\.([A-Za-z0-9_-]{86})$/;

export interface ParsedQrToken {
  readonly version: number;
  readonly signature: Buffer;
}

function assertCertificateNo(certificateNo: string): void {
  if (!CERTIFICATE_NO.test(certificateNo)) {
    throw new Error(`certificate number must be 12 digits, got ${JSON.stringify(certificateNo)}`);
  }
}

function assertVersion(version: number): void {
  if (!Number.isSafeInteger(version) || version < 1 || version > 999_999_999) {
    throw new Error(`certificate version must be a positive integer, got ${version}`);
  }
}

function message(certificateNo: string, version: number): Buffer {
  return Buffer.from(`${MESSAGE_PREFIX}${certificateNo}:${version}`, 'utf8');
}

function asKey(key: string | Buffer | KeyObject, kind: 'private' | 'public'): KeyObject {
  const keyObject = key instanceof KeyObject ? key : kind === 'private' ? createPrivateKey(key) : createPublicKey(key);
  if (keyObject.asymmetricKeyType !== 'ed25519') {
    throw new Error(`QR token key must be Ed25519, got ${keyObject.asymmetricKeyType ?? keyObject.type}`);
  }
  return keyObject;
}

/**
 * Splits a token into version and signature; `null` for anything malformed. The regex bounds the input length
 * before any decoding, so arbitrary query strings cost nothing.
 */
export function parseQrToken(token: unknown): ParsedQrToken | null {
  if (typeof token !== 'string' || token.length > 100) return null;
  const match = TOKEN.exec(token);
  if (!match) return null;
  const signature = Buffer.from(match[2], 'base64url');
  // Reject non-canonical encodings (stray bits in the last character) so one signature has exactly one token.
  if (signature.length !== 64 || signature.toString('base64url') !== match[2]) return null;
  return { version: Number(match[1]), signature };
}

/**
 * Verify-only side: needs nothing but the public key published at `/.well-known/`, so the public verification page
 * can run without access to the signing key.
 */
export class QrTokenVerifier {
  protected readonly publicKey: KeyObject;

  constructor(publicKey: string | Buffer | KeyObject) {
    const key = publicKey instanceof KeyObject && publicKey.type === 'private' ? createPublicKey(publicKey) : publicKey;
    this.publicKey = asKey(key, 'public');
  }

  /**
   * True only when `token` is a valid signature for exactly this certificate number and version. Never throws:
   * the inputs come straight from a scanned (or typed) URL. Ed25519 verification in OpenSSL does not branch on
   * secret data, and malformed tokens are rejected by shape before any crypto.
   */
  verify(certificateNo: string, version: number, token: string): boolean {
    const parsed = parseQrToken(token);
    if (!parsed || parsed.version !== version) return false;
    return this.verifySignature(certificateNo, parsed);
  }

  /**
   * For the verification page: returns the version the token was issued for, or `null` when the token is not a
   * valid signature for this certificate number. Never throws.
   */
  verifiedVersion(certificateNo: string, token: string): number | null {
    const parsed = parseQrToken(token);
    if (!parsed) return null;
    return this.verifySignature(certificateNo, parsed) ? parsed.version : null;
  }

  /**
   * `verifiedVersion` with the signature check on libuv's thread pool (`crypto.verify` with a callback) instead of
   * the calling thread: the same answer and the same work, but an Ed25519 verification costs ~60 µs of CPU
   * (measured, 2-core development machine), the largest single cost of a verification lookup, and off the event
   * loop it runs beside the request handling of other lookups (bench/verify). Never rejects.
   */
  async verifiedVersionAsync(certificateNo: string, token: string): Promise<number | null> {
    const parsed = parseQrToken(token);
    if (!parsed || typeof certificateNo !== 'string' || !CERTIFICATE_NO.test(certificateNo)) return null;
    const valid = await new Promise<boolean>((resolve) => {
      try {
        verify(null, message(certificateNo, parsed.version), this.publicKey, parsed.signature, (error, ok) =>
          resolve(!error && ok),
        );
      } catch {
        resolve(false);
      }
    });
    return valid ? parsed.version : null;
  }

  /** SPKI PEM, the form published at `/.well-known/` for independent verifiers. */
  publicKeyPem(): string {
    return this.publicKey.export({ type: 'spki', format: 'pem' }).toString();
  }

  private verifySignature(certificateNo: string, parsed: ParsedQrToken): boolean {
    if (typeof certificateNo !== 'string' || !CERTIFICATE_NO.test(certificateNo)) return false;
    try {
      return verify(null, message(certificateNo, parsed.version), this.publicKey, parsed.signature);
    } catch {
      return false;
    }
  }
}

/** Signing side, used when a certificate version is issued. */
export class QrTokenService extends QrTokenVerifier {
  private readonly privateKey: KeyObject;

  constructor(privateKey: string | Buffer | KeyObject) {
    const key = asKey(privateKey, 'private');
    super(createPublicKey(key));
    this.privateKey = key;
  }

  sign(certificateNo: string, version: number): string {
    assertCertificateNo(certificateNo);
    assertVersion(version);
    const signature = sign(null, message(certificateNo, version), this.privateKey);
    return `${version}.${signature.toString('base64url')}`;
  }

  /** The URL printed as the QR code. `baseUrl` is the public verification host, e.g. `https://verify.example.cn`. */
  verifyUrl(baseUrl: string, certificateNo: string, version: number): string {
    const base = baseUrl.replace(/\/+$/, '');
    return `${base}/v/${certificateNo}?t=${this.sign(certificateNo, version)}`;
  }
}
