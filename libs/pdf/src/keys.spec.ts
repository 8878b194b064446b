import { generateKeyPairSync, X509Certificate } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createSelfSignedSealCertificate, ensureDevKeys, loadKeys } from './keys';
import { derToPem } from './pki';

// R9 / DESIGN.md Trust → Electronic seal: dev keys are generated on first start into .data/keys/.
describe('ensureDevKeys / loadKeys (R9)', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'pdf-keys-'));
  });
  afterEach(async () => {
    await fs.rm(dir, { recursive: true, force: true });
  });

  it('generates a P-256 seal key, a self-signed 10-year seal certificate and an Ed25519 QR key', async () => {
    const paths = await ensureDevKeys(path.join(dir, 'keys'));
    const keys = await loadKeys(paths);
    expect(keys.sealKey.asymmetricKeyType).toBe('ec');
    expect(keys.sealKey.asymmetricKeyDetails?.namedCurve).toBe('prime256v1');
    expect(keys.qrKey.asymmetricKeyType).toBe('ed25519');

    const certificate = new X509Certificate(keys.sealCertificate);
    expect(certificate.subject.split('\n')).toEqual([
      'C=CN',
      'O=中国注册会计师协会',
      'CN=中国注册会计师协会电子印章(开发)',
    ]);
    expect(certificate.issuer).toBe(certificate.subject);
    expect(certificate.ca).toBe(false);
    expect(certificate.verify(certificate.publicKey)).toBe(true);
    expect(certificate.checkPrivateKey(keys.sealKey)).toBe(true);
    const years = (Date.parse(certificate.validTo) - Date.parse(certificate.validFrom)) / (365.25 * 24 * 3600e3);
    expect(years).toBeGreaterThan(9.99);
    expect(years).toBeLessThan(10.01);
    // keyUsage critical, digitalSignature + nonRepudiation: 30 0e 06 03 55 1d 0f 01 01 ff 04 04 03 02 06 c0.
    expect(keys.sealCertificate.includes(Buffer.from('551d0f0101ff0404030206c0', 'hex'))).toBe(true);
  });

  it('writes private keys with mode 0600', async () => {
    const paths = await ensureDevKeys(dir);
    for (const file of [paths.sealKeyPath, paths.qrKeyPath]) {
      expect((await fs.stat(file)).mode & 0o777).toBe(0o600);
    }
    expect(await fs.readFile(paths.qrPublicKeyPath, 'utf8')).toContain('BEGIN PUBLIC KEY');
  });

  it('keeps existing files (idempotent), and makes a certificate for an existing key', async () => {
    const paths = await ensureDevKeys(dir);
    const before = await Promise.all(
      [paths.sealKeyPath, paths.sealCertPath, paths.qrKeyPath].map((f) => fs.readFile(f)),
    );
    await ensureDevKeys(dir);
    const after = await Promise.all(
      [paths.sealKeyPath, paths.sealCertPath, paths.qrKeyPath].map((f) => fs.readFile(f)),
    );
    expect(after).toEqual(before);

    await fs.unlink(paths.sealCertPath);
    await ensureDevKeys(dir);
    const keys = await loadKeys(paths);
    expect(await fs.readFile(paths.sealKeyPath)).toEqual(before[0]);
    expect(new X509Certificate(keys.sealCertificate).checkPrivateKey(keys.sealKey)).toBe(true);
  });

  it('gives two processes starting at once the same keys', async () => {
    const [a, b] = await Promise.all([ensureDevKeys(dir), ensureDevKeys(dir)]);
    const [ka, kb] = await Promise.all([loadKeys(a), loadKeys(b)]);
    expect(ka.sealCertificatePem).toBe(kb.sealCertificatePem);
    expect(ka.qrKey.equals(kb.qrKey)).toBe(true);
    expect((await fs.readdir(dir)).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('refuses a seal certificate that does not belong to the seal key', async () => {
    const paths = await ensureDevKeys(dir);
    const stranger = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;
    await fs.writeFile(paths.sealCertPath, derToPem(await createSelfSignedSealCertificate(stranger), 'CERTIFICATE'));
    await expect(loadKeys(paths)).rejects.toThrow(/does not match/);
  });

  it('refuses a QR key that is not Ed25519', async () => {
    const paths = await ensureDevKeys(dir);
    await fs.copyFile(paths.sealKeyPath, paths.qrKeyPath);
    await expect(loadKeys(paths)).rejects.toThrow(/Ed25519/);
  });
});
