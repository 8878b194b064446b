import { generateKeyPairSync } from 'node:crypto';
import { PDFDocument } from 'pdf-lib';
import { createSelfSignedSealCertificate } from './keys';
import { checkSeal } from './seal-check';
import { PdfSealer } from './sealer';

// R9: the upload check of the verification page. End to end against pdfsig: test/integration/certificates.
describe('checkSeal (R9)', () => {
  const key = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;
  const otherKey = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;
  let ours: Buffer;
  let sealed: Buffer;
  let unsigned: Buffer;

  beforeAll(async () => {
    ours = await createSelfSignedSealCertificate(key);
    const document = await PDFDocument.create();
    document.addPage([595, 420]).drawText('certificate');
    unsigned = Buffer.from(await document.save());
    sealed = await new PdfSealer({ key, certificate: ours }).seal(unsigned, { reason: 'r', location: 'l', name: 'n' });
  });

  it('accepts a sealed PDF as valid, by our seal, covering the whole file', async () => {
    expect(await checkSeal(sealed, ours)).toMatchObject({
      signed: true,
      signatureValid: true,
      signedByOurSeal: true,
      coversWholeFile: true,
    });
  });

  it('finds one changed signed byte (digest mismatch)', async () => {
    const tampered = Buffer.from(sealed);
    const at = tampered.indexOf(
      'certificate'
        .split('')
        .map((c) => c.charCodeAt(0).toString(16))
        .join(''),
    );
    const offset = at > 0 ? at : 20;
    tampered[offset] ^= 0x01;
    const result = await checkSeal(tampered, ours);
    expect(result.signed).toBe(true);
    expect(result.signatureValid).toBe(false);
  });

  it('tells a valid signature by another certificate from ours', async () => {
    const foreign = await createSelfSignedSealCertificate(otherKey);
    const other = await new PdfSealer({ key: otherKey, certificate: foreign }).seal(unsigned, {
      reason: 'r',
      location: 'l',
      name: 'n',
    });
    expect(await checkSeal(other, ours)).toMatchObject({ signed: true, signatureValid: true, signedByOurSeal: false });
  });

  it('reports an unsigned PDF and garbage as not signed', async () => {
    expect((await checkSeal(unsigned, ours)).signed).toBe(false);
    expect((await checkSeal(Buffer.from('not a pdf'), ours)).signed).toBe(false);
  });

  it('notices bytes appended after signing', async () => {
    const appended = Buffer.concat([sealed, Buffer.from('\n%extra\n')]);
    expect(await checkSeal(appended, ours)).toMatchObject({ signatureValid: true, coversWholeFile: false });
  });
});
