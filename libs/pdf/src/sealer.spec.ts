import { createHash, generateKeyPairSync, verify, X509Certificate } from 'node:crypto';
import * as asn1js from 'asn1js';
import { PDFArray, PDFDict, PDFDocument, PDFHexString, PDFName, PDFString } from 'pdf-lib';
import * as pkijs from 'pkijs';
import { createSelfSignedSealCertificate } from './keys';
import { pdfTextString, PdfSealer } from './sealer';

// R9: the certificate PDF carries a PAdES signature by the national body's seal certificate. The end-to-end check
// with poppler's pdfsig is in test/integration/pdf; these specs check the CMS structure independently of pdfsig.

const OID = {
  contentType: '1.2.840.113549.1.9.3',
  messageDigest: '1.2.840.113549.1.9.4',
  signingTime: '1.2.840.113549.1.9.5',
  signingCertificateV2: '1.2.840.113549.1.9.16.2.47',
};

async function samplePdf(): Promise<Uint8Array> {
  const document = await PDFDocument.create();
  document.addPage([595, 420]).drawText('certificate');
  return document.save();
}

/** Splits a signed PDF into the signed bytes and the CMS blob, the way any validator does. */
function extract(pdf: Buffer): { signedBytes: Buffer; cms: Buffer } {
  const match = /\/ByteRange \[(\d+) (\d+) (\d+) (\d+)\]/.exec(pdf.toString('latin1'));
  if (!match) throw new Error('no ByteRange');
  const [a, b, c, d] = match.slice(1).map(Number);
  const signedBytes = Buffer.concat([pdf.subarray(a, a + b), pdf.subarray(c, c + d)]);
  const hex = pdf.subarray(a + b + 1, c - 1).toString('latin1');
  return { signedBytes, cms: Buffer.from(hex, 'hex') };
}

describe('PdfSealer (R9)', () => {
  const key = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;
  let certificateDer: Buffer;
  let pdf: Uint8Array;
  beforeAll(async () => {
    certificateDer = await createSelfSignedSealCertificate(key);
    pdf = await samplePdf();
  });

  const sealOptions = { reason: '电子非执业会员证签发', location: '北京', name: '中国注册会计师协会' };

  it('signs with a detached CMS whose signature verifies over the signed attributes (ETSI.CAdES.detached)', async () => {
    const sealer = new PdfSealer({ key, certificate: certificateDer });
    const sealed = await sealer.seal(pdf, sealOptions);
    expect(sealed.toString('latin1')).toContain('/SubFilter /ETSI.CAdES.detached');
    const { signedBytes, cms } = extract(sealed);

    const contentInfo = new pkijs.ContentInfo({ schema: asn1js.fromBER(cms).result });
    expect(contentInfo.contentType).toBe('1.2.840.113549.1.7.2');
    const signedData = new pkijs.SignedData({ schema: contentInfo.content });
    expect(signedData.encapContentInfo.eContent).toBeUndefined(); // detached
    const signerInfo = signedData.signerInfos[0];
    const attributes = signerInfo.signedAttrs!.attributes;
    const types = attributes.map((a) => a.type);
    expect(new Set(types)).toEqual(new Set([OID.contentType, OID.messageDigest, OID.signingCertificateV2]));
    // EN 319 142-1: no CMS signing-time in PAdES; the time is /M in the signature dictionary.
    expect(types).not.toContain(OID.signingTime);

    const digest = attributes.find((a) => a.type === OID.messageDigest)!.values[0] as asn1js.OctetString;
    expect(Buffer.from(digest.valueBlock.valueHexView)).toEqual(createHash('sha256').update(signedBytes).digest());

    const essCertIdV2 = attributes.find((a) => a.type === OID.signingCertificateV2)!.values[0] as asn1js.Sequence;
    const certHash = ((essCertIdV2.valueBlock.value[0] as asn1js.Sequence).valueBlock.value[0] as asn1js.Sequence)
      .valueBlock.value[0] as asn1js.OctetString;
    expect(Buffer.from(certHash.valueBlock.valueHexView)).toEqual(createHash('sha256').update(certificateDer).digest());

    // Verify with OpenSSL directly: the signature covers the DER of the signed attributes re-tagged as SET (0x31).
    const signedAttrsDer = Buffer.from(signerInfo.signedAttrs!.encodedValue);
    signedAttrsDer[0] = 0x31;
    const signature = Buffer.from(signerInfo.signature.valueBlock.valueHexView);
    const publicKey = new X509Certificate(certificateDer).publicKey;
    expect(verify('sha256', signedAttrsDer, { key: publicKey, dsaEncoding: 'der' }, signature)).toBe(true);

    // ...and the signed bytes are the document: one changed byte no longer matches messageDigest.
    const tampered = Buffer.from(signedBytes);
    tampered[100] ^= 0x01;
    expect(createHash('sha256').update(tampered).digest()).not.toEqual(Buffer.from(digest.valueBlock.valueHexView));
  });

  // With signing-time (adbe) the attributes are not created in DER order, so this fails without the sort.
  it.each(['ETSI.CAdES.detached', 'adbe.pkcs7.detached'] as const)(
    'orders the signed attributes as a DER SET OF (validators re-encode before hashing): %s',
    async (subFilter) => {
      const sealer = new PdfSealer({ key, certificate: certificateDer, subFilter });
      const { cms } = extract(await sealer.seal(pdf, sealOptions));
      const signedData = new pkijs.SignedData({
        schema: new pkijs.ContentInfo({ schema: asn1js.fromBER(cms).result }).content,
      });
      const encodings = signedData.signerInfos[0].signedAttrs!.attributes.map((a) => Buffer.from(a.toSchema().toBER()));
      const sorted = [...encodings].sort(Buffer.compare);
      expect(encodings).toEqual(sorted);
    },
  );

  it('adds the signing-time attribute for the legacy adbe.pkcs7.detached SubFilter', async () => {
    const sealer = new PdfSealer({ key, certificate: certificateDer, subFilter: 'adbe.pkcs7.detached' });
    const signingTime = new Date('2025-06-01T08:00:00Z');
    const sealed = await sealer.seal(pdf, { ...sealOptions, signingTime });
    expect(sealed.toString('latin1')).toContain('/SubFilter /adbe.pkcs7.detached');
    const signedData = new pkijs.SignedData({
      schema: new pkijs.ContentInfo({ schema: asn1js.fromBER(extract(sealed).cms).result }).content,
    });
    const time = signedData.signerInfos[0].signedAttrs!.attributes.find((a) => a.type === OID.signingTime);
    expect((time!.values[0] as asn1js.UTCTime).toDate().toISOString()).toBe(signingTime.toISOString());
  });

  it('writes Chinese reason, location and name readably into the signature dictionary', async () => {
    const sealer = new PdfSealer({ key, certificate: certificateDer });
    const sealed = await sealer.seal(pdf, { ...sealOptions, signingTime: new Date('2025-06-01T08:00:00Z') });
    const document = await PDFDocument.load(sealed);
    const acroForm = document.catalog.lookup(PDFName.of('AcroForm'), PDFDict);
    const field = acroForm.lookup(PDFName.of('Fields'), PDFArray).lookup(0, PDFDict);
    const signature = field.lookup(PDFName.of('V'), PDFDict);
    const text = (name: string) => (signature.lookup(PDFName.of(name)) as PDFString | PDFHexString).decodeText();
    expect(text('Reason')).toBe('电子非执业会员证签发');
    expect(text('Location')).toBe('北京');
    expect(text('Name')).toBe('中国注册会计师协会');
    expect(text('M')).toBe('D:20250601080000Z');
  });

  it('refuses a certificate that does not belong to the key', async () => {
    const other = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;
    expect(() => new PdfSealer({ key: other, certificate: certificateDer })).toThrow(/does not match/);
  });

  it('reports the signer common name', () => {
    expect(new PdfSealer({ key, certificate: certificateDer }).signerCommonName).toBe(
      '中国注册会计师协会电子印章(开发)',
    );
  });
});

describe('pdfTextString', () => {
  it('keeps printable ASCII and escapes the literal-string delimiters', () => {
    expect(pdfTextString('a(b)c\\d')).toBe('a\\(b\\)c\\\\d');
  });
  it('encodes anything else as UTF-16BE with BOM in octal escapes', () => {
    // 北 = U+5317 → FE FF 53 17
    expect(pdfTextString('北')).toBe('\\376\\377\\123\\027');
    expect(pdfTextString('北')).toMatch(/^[\\0-7]+$/);
  });
});
