import { generateKeyPairSync } from 'node:crypto';
import { parseQrToken, QrTokenService, QrTokenVerifier } from './qr-token';

// R2 / DESIGN.md Trust → QR code: tokens are Ed25519 signatures over certificate number and version.
describe('QrTokenService (R2)', () => {
  const { privateKey } = generateKeyPairSync('ed25519');
  const service = new QrTokenService(privateKey);
  const certificateNo = '110000000123';

  it('signs a self-describing token "<version>.<86 base64url chars>" that verifies', () => {
    const token = service.sign(certificateNo, 3);
    expect(token).toMatch(/^3\.[A-Za-z0-9_-]{86}$/);
    expect(service.verify(certificateNo, 3, token)).toBe(true);
    expect(service.verifiedVersion(certificateNo, token)).toBe(3);
  });

  it('answers the same off the event loop (verifiedVersionAsync)', async () => {
    const token = service.sign(certificateNo, 3);
    await expect(service.verifiedVersionAsync(certificateNo, token)).resolves.toBe(3);
    await expect(service.verifiedVersionAsync('110000000124', token)).resolves.toBeNull();
    // Change a character that carries signature bits for certain (the last one also holds unused padding bits).
    const flipped = `${token.slice(0, -2)}${token.at(-2) === 'A' ? 'B' : 'A'}${token.at(-1)}`;
    await expect(service.verifiedVersionAsync(certificateNo, flipped)).resolves.toBeNull();
    await expect(service.verifiedVersionAsync(certificateNo, 'nonsense')).resolves.toBeNull();
    await expect(service.verifiedVersionAsync('1100', token)).resolves.toBeNull();
  });

  it('is deterministic, so re-rendering a version prints the same QR code', () => {
    expect(service.sign(certificateNo, 1)).toBe(service.sign(certificateNo, 1));
  });

  it('builds the verification URL without a separate version parameter', () => {
    const url = service.verifyUrl('https://verify.example.cn/', certificateNo, 2);
    const token = service.sign(certificateNo, 2);
    expect(url).toBe(`https://verify.example.cn/v/${certificateNo}?t=${token}`);
    expect(new URL(url).searchParams.get('t')).toBe(token);
  });

  it('rejects a token for another certificate number or another version', () => {
    const token = service.sign(certificateNo, 2);
    expect(service.verify('110000000124', 2, token)).toBe(false);
    expect(service.verifiedVersion('110000000124', token)).toBeNull();
    expect(service.verify(certificateNo, 1, token)).toBe(false);
    // Editing the version inside the token breaks the signature.
    const edited = token.replace(/^2\./, '1.');
    expect(service.verify(certificateNo, 1, edited)).toBe(false);
    expect(service.verifiedVersion(certificateNo, edited)).toBeNull();
  });

  it('rejects a flipped signature character and a token signed by another key', () => {
    const token = service.sign(certificateNo, 1);
    const last = token.at(-2) === 'A' ? 'B' : 'A';
    const flipped = `${token.slice(0, -2)}${last}${token.at(-1)}`;
    expect(service.verify(certificateNo, 1, flipped)).toBe(false);
    const other = new QrTokenService(generateKeyPairSync('ed25519').privateKey);
    expect(service.verify(certificateNo, 1, other.sign(certificateNo, 1))).toBe(false);
  });

  it.each([
    ['empty', ''],
    ['no dot', 'abc'],
    ['missing signature', '1.'],
    ['version 0', `0.${'A'.repeat(86)}`],
    ['leading zero', `01.${'A'.repeat(86)}`],
    ['short signature', `1.${'A'.repeat(85)}`],
    ['long signature', `1.${'A'.repeat(87)}`],
    ['padding', `1.${'A'.repeat(84)}==`],
    ['non-canonical last char', `1.${'A'.repeat(85)}B`],
    ['huge', '9'.repeat(100_000)],
    ['unicode', `1.${'中'.repeat(86)}`],
    ['all-zero signature', `1.${'A'.repeat(86)}`],
  ])('returns false without throwing for garbage (%s)', (_, token) => {
    expect(service.verify(certificateNo, 1, token)).toBe(false);
    expect(service.verifiedVersion(certificateNo, token)).toBeNull();
  });

  it('returns false for non-string input and malformed certificate numbers', () => {
    const token = service.sign(certificateNo, 1);
    for (const garbage of [undefined, null, 42, {}, ['1'], Buffer.from(token)]) {
      expect(service.verify(certificateNo, 1, garbage as string)).toBe(false);
      expect(service.verifiedVersion(garbage as string, token)).toBeNull();
    }
    expect(service.verify(`${certificateNo}\n`, 1, token)).toBe(false);
    expect(service.verify(' 110000000123', 1, token)).toBe(false);
  });

  it('refuses to sign malformed input', () => {
    expect(() => service.sign('11000000012', 1)).toThrow(/12 digits/);
    expect(() => service.sign('11000000012x', 1)).toThrow(/12 digits/);
    expect(() => service.sign(certificateNo, 0)).toThrow(/positive integer/);
    expect(() => service.sign(certificateNo, 1.5)).toThrow(/positive integer/);
  });

  it('publishes a public key that verifies on its own', () => {
    const pem = service.publicKeyPem();
    expect(pem).toContain('-----BEGIN PUBLIC KEY-----');
    const verifier = new QrTokenVerifier(pem);
    expect(verifier.verify(certificateNo, 5, service.sign(certificateNo, 5))).toBe(true);
    expect((verifier as unknown as { sign?: unknown }).sign).toBeUndefined();
  });

  it('accepts only Ed25519 keys', () => {
    const { privateKey: ec } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    expect(() => new QrTokenService(ec)).toThrow(/Ed25519/);
    expect(() => new QrTokenVerifier(ec)).toThrow(/Ed25519/);
  });

  it('parses tokens into version and 64-byte signature', () => {
    const parsed = parseQrToken(service.sign(certificateNo, 12));
    expect(parsed?.version).toBe(12);
    expect(parsed?.signature).toHaveLength(64);
    expect(parseQrToken('12')).toBeNull();
    // Two encodings of the same 64 bytes would make two valid URLs for one certificate version.
    expect(parseQrToken(`1.${'A'.repeat(85)}A`)).not.toBeNull();
    expect(parseQrToken(`1.${'A'.repeat(85)}B`)).toBeNull();
  });
});
