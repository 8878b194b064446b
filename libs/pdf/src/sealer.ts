import { createHash, createPrivateKey, KeyObject, webcrypto, X509Certificate } from 'node:crypto';
import { pdflibAddPlaceholder } from '@signpdf/placeholder-pdf-lib';
import { SignPdf } from '@signpdf/signpdf';
import { Signer, SUBFILTER_ETSI_CADES_DETACHED } from '@signpdf/utils';
import * as asn1js from 'asn1js';
import { ParseSpeeds, PDFDocument } from 'pdf-lib';
import * as pkijs from 'pkijs';
import { cryptoEngine, parseCertificate, signingAlgorithm, toSigningCryptoKey } from './pki';

/**
 * PAdES signing of certificate PDFs with the national body's seal certificate (R9; DESIGN.md, Trust → Electronic
 * seal). The seal images on the page are artwork; this signature is what makes the seal verifiable: `pdfsig`,
 * Adobe Reader and any PAdES validator check it against the seal certificate.
 *
 * Profile: PAdES baseline B-B, i.e. SubFilter `ETSI.CAdES.detached`, a detached CMS SignedData over the byte
 * ranges, signed attributes content-type, message-digest and ESS signing-certificate-v2. ETSI EN 319 142-1 forbids
 * the CMS signing-time attribute in this profile (the claimed signing time is the signature dictionary's `/M`,
 * which the placeholder sets), so it is included only for the legacy `adbe.pkcs7.detached` SubFilter.
 *
 * Cost on the 2-core development machine: 50–60 ms per certificate, nearly all of it pdf-lib parsing and rewriting
 * the ~500-object PDF Chromium prints with Type 3 glyphs; the CMS signature itself takes ~4 ms (pkijs encoding,
 * ECDSA P-256 and SHA-256 in OpenSSL through WebCrypto).
 */

const OID = {
  data: '1.2.840.113549.1.7.1',
  signedData: '1.2.840.113549.1.7.2',
  contentType: '1.2.840.113549.1.9.3',
  messageDigest: '1.2.840.113549.1.9.4',
  signingTime: '1.2.840.113549.1.9.5',
  signingCertificateV2: '1.2.840.113549.1.9.16.2.47',
} as const;

const HASH_OIDS: Record<string, string> = {
  'SHA-256': 'sha256',
  'SHA-384': 'sha384',
};

export interface SealOptions {
  /** Why the document was signed, e.g. 电子非执业会员证签发 (shown by Adobe Reader). */
  readonly reason: string;
  /** Where, e.g. 北京. */
  readonly location: string;
  /** Signer's name, e.g. 中国注册会计师协会. */
  readonly name: string;
  readonly contactInfo?: string;
  /** Claimed signing time; defaults to now. */
  readonly signingTime?: Date;
}

export interface PdfSealerOptions {
  /** The seal private key (ECDSA P-256/P-384 or RSA). */
  readonly key: KeyObject | string;
  /** The seal certificate, DER or PEM. */
  readonly certificate: Buffer | string;
  /** `ETSI.CAdES.detached` (default, PAdES) or `adbe.pkcs7.detached`. */
  readonly subFilter?: 'ETSI.CAdES.detached' | 'adbe.pkcs7.detached';
  /**
   * Bytes reserved in the PDF for the CMS blob. One certificate and an ECDSA signature need about 1 KB; the default
   * leaves room for an RSA key and a certificate chain from a real CA.
   */
  readonly signatureLength?: number;
}

/**
 * A `@signpdf` signer that builds the CMS SignedData with pkijs and signs with Node's native WebCrypto. It signs
 * whatever bytes it is given (the PDF minus the `/Contents` placeholder, as `@signpdf/signpdf` passes them).
 */
export class CmsSigner extends Signer {
  private readonly cryptoKey: webcrypto.CryptoKey;
  private readonly hash: string;
  private readonly certificate: pkijs.Certificate;
  private readonly signingCertificateV2: asn1js.Sequence;

  constructor(
    key: KeyObject,
    certificateDer: Buffer,
    private readonly includeSigningTime: boolean,
  ) {
    super();
    this.hash = signingAlgorithm(key).hash;
    this.cryptoKey = toSigningCryptoKey(key);
    this.certificate = parseCertificate(certificateDer);
    this.signingCertificateV2 = signingCertificateV2(certificateDer, this.certificate);
  }

  override async sign(pdfBuffer: Buffer, signingTime?: Date): Promise<Buffer> {
    const digest = createHash(HASH_OIDS[this.hash]).update(pdfBuffer).digest();
    const attributes = [
      attribute(OID.contentType, new asn1js.ObjectIdentifier({ value: OID.data })),
      attribute(OID.messageDigest, new asn1js.OctetString({ valueHex: digest })),
      attribute(OID.signingCertificateV2, this.signingCertificateV2),
    ];
    if (this.includeSigningTime) {
      attributes.push(attribute(OID.signingTime, new asn1js.UTCTime({ valueDate: signingTime ?? new Date() })));
    }
    const signedData = new pkijs.SignedData({
      version: 1,
      encapContentInfo: new pkijs.EncapsulatedContentInfo({ eContentType: OID.data }),
      certificates: [this.certificate],
      signerInfos: [
        new pkijs.SignerInfo({
          version: 1,
          sid: new pkijs.IssuerAndSerialNumber({
            issuer: this.certificate.issuer,
            serialNumber: this.certificate.serialNumber,
          }),
          signedAttrs: new pkijs.SignedAndUnsignedAttributes({ type: 0, attributes: derSortedSet(attributes) }),
        }),
      ],
    });
    await signedData.sign(this.cryptoKey, 0, this.hash, undefined, cryptoEngine);
    const contentInfo = new pkijs.ContentInfo({ contentType: OID.signedData, content: signedData.toSchema(true) });
    return Buffer.from(contentInfo.toSchema().toBER(false));
  }
}

export class PdfSealer {
  private readonly signer: CmsSigner;
  private readonly signPdf = new SignPdf();
  private readonly subFilter: string;
  private readonly signatureLength: number;
  /** Common name of the seal certificate's subject, for logs and the verification page. */
  readonly signerCommonName: string;

  constructor(options: PdfSealerOptions) {
    const key = typeof options.key === 'string' ? createPrivateKey(options.key) : options.key;
    const certificate = new X509Certificate(options.certificate);
    if (!certificate.checkPrivateKey(key)) throw new Error('seal key does not match the seal certificate');
    this.subFilter = options.subFilter ?? SUBFILTER_ETSI_CADES_DETACHED;
    this.signatureLength = options.signatureLength ?? 8192;
    this.signer = new CmsSigner(key, certificate.raw, this.subFilter !== SUBFILTER_ETSI_CADES_DETACHED);
    this.signerCommonName = /(?:^|\n)CN=([^\n]*)/.exec(certificate.subject)?.[1] ?? certificate.subject;
  }

  /** Returns a copy of `pdf` with an invisible PAdES signature field signed by the seal certificate. */
  async seal(pdf: Uint8Array, options: SealOptions): Promise<Buffer> {
    const signingTime = options.signingTime ?? new Date();
    // updateMetadata: false keeps pdf-lib from replacing the Producer/ModDate that the renderer wrote. pdf-lib
    // yields to the event loop every 100 objects by default; a certificate has a few hundred small objects and
    // yielding only adds latency, so parse and write in one go.
    const document = await PDFDocument.load(pdf, { updateMetadata: false, parseSpeed: ParseSpeeds.Fastest });
    pdflibAddPlaceholder({
      pdfDoc: document,
      // pdflibAddPlaceholder writes these with PDFString.of, which copies characters as bytes without escaping;
      // pass them pre-encoded so Chinese text survives (see pdfTextString).
      reason: pdfTextString(options.reason),
      location: pdfTextString(options.location),
      name: pdfTextString(options.name),
      contactInfo: pdfTextString(options.contactInfo ?? ''),
      signingTime,
      subFilter: this.subFilter,
      signatureLength: this.signatureLength,
    });
    // Object streams would hide the signature dictionary from @signpdf's byte-level placeholder search.
    const prepared = await document.save({ useObjectStreams: false, objectsPerTick: Infinity });
    return this.signPdf.sign(Buffer.from(prepared), this.signer, signingTime);
  }
}

/**
 * Encodes `text` as the body of a PDF literal text string (ISO 32000-1 §7.9.2.2) using only ASCII bytes: plain
 * printable ASCII stays as is (with `\`, `(`, `)` escaped); anything else becomes UTF-16BE with a byte-order mark,
 * every byte written as an octal escape.
 */
export function pdfTextString(text: string): string {
  if (/^[\x20-\x7e]*$/.test(text)) return text.replace(/[\\()]/g, (c) => `\\${c}`);
  const utf16 = Buffer.from(text, 'utf16le').swap16();
  const bytes = Buffer.concat([Buffer.from([0xfe, 0xff]), utf16]);
  return Array.from(bytes, (b) => `\\${b.toString(8).padStart(3, '0')}`).join('');
}

function attribute(type: string, value: asn1js.BaseBlock): pkijs.Attribute {
  return new pkijs.Attribute({ type, values: [value] });
}

/**
 * Signed attributes are a DER SET OF: elements ordered by their encodings (X.690 §11.6). pkijs keeps insertion
 * order, and validators that re-encode the set before hashing (NSS, used by pdfsig) would then compute a different
 * digest, so the attributes are sorted here.
 */
function derSortedSet(attributes: pkijs.Attribute[]): pkijs.Attribute[] {
  const encoded = attributes.map((a) => ({ a, der: Buffer.from(a.toSchema().toBER(false)) }));
  encoded.sort((x, y) => Buffer.compare(x.der, y.der));
  return encoded.map((e) => e.a);
}

/**
 * SigningCertificateV2 (RFC 5035) binding the signature to the seal certificate, so the certificate cannot be
 * swapped for another with the same key. ESSCertIDv2.hashAlgorithm is omitted: its DEFAULT is SHA-256.
 *   SigningCertificateV2 ::= SEQUENCE { certs SEQUENCE OF ESSCertIDv2 }
 *   ESSCertIDv2 ::= SEQUENCE { certHash OCTET STRING, issuerSerial IssuerSerial }
 *   IssuerSerial ::= SEQUENCE { issuer GeneralNames, serialNumber INTEGER }  -- GeneralName directoryName is [4]
 */
function signingCertificateV2(certificateDer: Buffer, certificate: pkijs.Certificate): asn1js.Sequence {
  const certHash = createHash('sha256').update(certificateDer).digest();
  const directoryName = new asn1js.Constructed({
    idBlock: { tagClass: 3, tagNumber: 4 },
    value: [certificate.issuer.toSchema()],
  });
  const issuerSerial = new asn1js.Sequence({
    value: [
      new asn1js.Sequence({ value: [directoryName] }),
      new asn1js.Integer({ valueHex: certificate.serialNumber.valueBlock.valueHexView }),
    ],
  });
  const essCertIdV2 = new asn1js.Sequence({ value: [new asn1js.OctetString({ valueHex: certHash }), issuerSerial] });
  return new asn1js.Sequence({ value: [new asn1js.Sequence({ value: [essCertIdV2] })] });
}
