import {
  createHash,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  KeyObject,
  randomBytes,
  X509Certificate,
} from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { cryptoEngine, derToPem, signingAlgorithm, toSigningCryptoKey } from './pki';

/**
 * Keys of the e-certificate (DESIGN.md, Trust → Electronic seal, QR code):
 * - the national body's seal key and its X.509 certificate, which PAdES-sign every certificate PDF (R9);
 * - the Ed25519 key that signs QR tokens (R2).
 *
 * Development and tests get keys generated on first start (`ensureDevKeys`); real deployments point `loadKeys` at
 * files named in config. Keys live under `.data/`, which git ignores: never commit them.
 */

export interface KeyPaths {
  readonly sealKeyPath: string;
  readonly sealCertPath: string;
  readonly qrKeyPath: string;
}

export interface DevKeyPaths extends KeyPaths {
  /** The QR public key (SPKI PEM), for publishing at `/.well-known/`. */
  readonly qrPublicKeyPath: string;
}

export interface LoadedKeys {
  readonly sealKey: KeyObject;
  /** DER of the seal certificate, embedded in every signature. */
  readonly sealCertificate: Buffer;
  readonly sealCertificatePem: string;
  readonly qrKey: KeyObject;
}

/** Subject (and issuer: the dev certificate is self-signed) of the development seal certificate. */
export const DEV_SEAL_SUBJECT = {
  commonName: '中国注册会计师协会电子印章(开发)',
  organization: '中国注册会计师协会',
  country: 'CN',
} as const;

const FILE_NAMES = {
  sealKey: 'seal-key.pem',
  sealCert: 'seal-cert.pem',
  qrKey: 'qr-key.pem',
  qrPublicKey: 'qr-public.pem',
} as const;

const VALIDITY_YEARS = 10;

/**
 * Creates whatever key files are missing in `dir` and returns their paths. Existing files are never overwritten:
 * a certificate issued under a key must stay verifiable, so a key, once written, is permanent. If the seal key
 * exists but its certificate does not, a certificate is made for the existing key.
 *
 * The API and the worker may start at the same moment against the same directory; each file is written to a
 * private temporary name and then hard-linked into place, which fails if another process won the race, and the
 * loser then reads the winner's file. A reader therefore never sees a half-written key.
 *
 * The seal key is ECDSA P-256: native signing takes well under a millisecond (RSA-2048 is several times slower),
 * and poppler's `pdfsig`, Adobe Reader and every other PAdES validator accept it.
 */
export async function ensureDevKeys(dir: string): Promise<DevKeyPaths> {
  await fs.mkdir(dir, { recursive: true, mode: 0o700 });
  const paths: DevKeyPaths = {
    sealKeyPath: path.join(dir, FILE_NAMES.sealKey),
    sealCertPath: path.join(dir, FILE_NAMES.sealCert),
    qrKeyPath: path.join(dir, FILE_NAMES.qrKey),
    qrPublicKeyPath: path.join(dir, FILE_NAMES.qrPublicKey),
  };

  const sealKeyPem = await readOrCreate(paths.sealKeyPath, 0o600, () =>
    exportPrivate(generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey),
  );
  await readOrCreate(paths.sealCertPath, 0o644, async () => {
    const der = await createSelfSignedSealCertificate(createPrivateKey(sealKeyPem));
    return derToPem(der, 'CERTIFICATE');
  });

  const qrKeyPem = await readOrCreate(paths.qrKeyPath, 0o600, () =>
    exportPrivate(generateKeyPairSync('ed25519').privateKey),
  );
  await readOrCreate(paths.qrPublicKeyPath, 0o644, () =>
    createPublicKey(qrKeyPem).export({ type: 'spki', format: 'pem' }).toString(),
  );
  return paths;
}

/**
 * Loads the seal key, the seal certificate and the QR key, and checks that they belong together: a seal key that
 * does not match its certificate would produce PDFs that no validator accepts, so it fails at start-up instead.
 */
export async function loadKeys(paths: KeyPaths): Promise<LoadedKeys> {
  const [sealKeyPem, sealCertPem, qrKeyPem] = await Promise.all([
    fs.readFile(paths.sealKeyPath, 'utf8'),
    fs.readFile(paths.sealCertPath, 'utf8'),
    fs.readFile(paths.qrKeyPath, 'utf8'),
  ]);
  const sealKey = createPrivateKey(sealKeyPem);
  signingAlgorithm(sealKey); // throws for key types the sealer cannot use
  const certificate = new X509Certificate(sealCertPem);
  if (!certificate.checkPrivateKey(sealKey)) {
    throw new Error(`seal key ${paths.sealKeyPath} does not match certificate ${paths.sealCertPath}`);
  }
  const qrKey = createPrivateKey(qrKeyPem);
  if (qrKey.asymmetricKeyType !== 'ed25519') {
    throw new Error(`QR key ${paths.qrKeyPath} must be Ed25519, got ${qrKey.asymmetricKeyType}`);
  }
  return { sealKey, sealCertificate: certificate.raw, sealCertificatePem: certificate.toString(), qrKey };
}

/**
 * A self-signed seal certificate for development: subject = issuer = DEV_SEAL_SUBJECT, 10 years, key usage
 * digitalSignature + nonRepudiation (what a document-signing certificate carries), not a CA.
 */
export async function createSelfSignedSealCertificate(
  key: KeyObject,
  subject: { commonName: string; organization: string; country: string } = DEV_SEAL_SUBJECT,
  now = new Date(),
): Promise<Buffer> {
  const { hash } = signingAlgorithm(key);
  const spkiDer = createPublicKey(key).export({ type: 'spki', format: 'der' });
  const certificate = new pkijs.Certificate();
  certificate.version = 2;
  // RFC 5280: positive, at most 20 octets; clear the top bit so the INTEGER stays positive.
  const serial = randomBytes(16);
  serial[0] = (serial[0] & 0x7f) | 0x01;
  certificate.serialNumber = new asn1js.Integer({ valueHex: serial });
  certificate.subject = distinguishedName(subject);
  certificate.issuer = distinguishedName(subject);
  // Backdated a little so a verifier with a slightly slow clock does not see a not-yet-valid certificate.
  certificate.notBefore = timeOf(new Date(now.getTime() - 60 * 60 * 1000));
  const notAfter = new Date(now);
  notAfter.setUTCFullYear(notAfter.getUTCFullYear() + VALIDITY_YEARS);
  certificate.notAfter = timeOf(notAfter);
  certificate.subjectPublicKeyInfo.fromSchema(asn1js.fromBER(spkiDer).result);

  const subjectPublicKey = certificate.subjectPublicKeyInfo.subjectPublicKey.valueBlock.valueHexView;
  const keyIdentifier = createHash('sha1').update(subjectPublicKey).digest();
  certificate.extensions = [
    extension('2.5.29.19', true, new pkijs.BasicConstraints({ cA: false }).toSchema()),
    // KeyUsage BIT STRING: bit 0 digitalSignature, bit 1 nonRepudiation (contentCommitment) → 0b11000000.
    extension('2.5.29.15', true, new asn1js.BitString({ valueHex: new Uint8Array([0xc0]), unusedBits: 6 })),
    extension('2.5.29.14', false, new asn1js.OctetString({ valueHex: keyIdentifier })),
  ];
  await certificate.sign(toSigningCryptoKey(key), hash, cryptoEngine);
  return Buffer.from(certificate.toSchema(true).toBER(false));
}

/**
 * One attribute per RDN (C, O, CN in that order). pkijs would put all attributes into a single multi-valued RDN
 * (`C=CN+O=…+CN=…`) when building a name from `typesAndValues`, so the DER is assembled here and parsed back.
 */
function distinguishedName(subject: {
  commonName: string;
  organization: string;
  country: string;
}): pkijs.RelativeDistinguishedNames {
  const rdn = (type: string, value: asn1js.PrintableString | asn1js.Utf8String) =>
    new asn1js.Set({ value: [new pkijs.AttributeTypeAndValue({ type, value }).toSchema()] });
  const sequence = new asn1js.Sequence({
    value: [
      rdn('2.5.4.6', new asn1js.PrintableString({ value: subject.country })),
      rdn('2.5.4.10', new asn1js.Utf8String({ value: subject.organization })),
      rdn('2.5.4.3', new asn1js.Utf8String({ value: subject.commonName })),
    ],
  });
  return new pkijs.RelativeDistinguishedNames({ schema: asn1js.fromBER(sequence.toBER(false)).result });
}

function timeOf(date: Date): pkijs.Time {
  // RFC 5280 §4.1.2.5: UTCTime through 2049, GeneralizedTime from 2050.
  return new pkijs.Time({ type: date.getUTCFullYear() < 2050 ? 0 : 1, value: date });
}

function extension(extnID: string, critical: boolean, value: asn1js.BaseBlock): pkijs.Extension {
  return new pkijs.Extension({ extnID, critical, extnValue: value.toBER(false) });
}

function exportPrivate(key: KeyObject): string {
  return key.export({ type: 'pkcs8', format: 'pem' }).toString();
}

/** Returns the file's content, creating it first with `create()` if it does not exist (race-safe, see above). */
async function readOrCreate(file: string, mode: number, create: () => string | Promise<string>): Promise<string> {
  try {
    return await fs.readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  const content = await create();
  const temporary = `${file}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
  await fs.writeFile(temporary, content, { mode, flag: 'wx' });
  try {
    await fs.link(temporary, file);
    return content;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    return fs.readFile(file, 'utf8');
  } finally {
    await fs.unlink(temporary);
  }
}
