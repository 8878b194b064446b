import { X509Certificate } from 'node:crypto';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { cryptoEngine } from './pki';

/**
 * Checks the seal of an uploaded certificate PDF (R9, the verification page's upload): is there a signature, is it
 * mathematically valid over the signed bytes, was it made with our seal certificate, and does it cover the whole
 * file (nothing appended after signing)? Whether the file is identical to an issued version is a hash lookup the
 * caller does (PDF bytes → sha256 → certificates.pdf_sha256).
 *
 * The same checks `pdfsig` makes (digest over /ByteRange, CMS signature, signer certificate), done in-process so the
 * API needs no external tool; test/integration/certificates compares both on the same files.
 */
export interface SealCheck {
  /** A signature dictionary with /ByteRange and /Contents was found. */
  readonly signed: boolean;
  /** The CMS signature verifies and its message digest matches the signed bytes (false: altered after signing). */
  readonly signatureValid: boolean;
  /** The signer certificate embedded in the signature is our seal certificate (byte for byte). */
  readonly signedByOurSeal: boolean;
  /** The signed byte ranges reach the end of the file: nothing was added after signing. */
  readonly coversWholeFile: boolean;
  /** Subject common name of the embedded signer certificate, when there is one. */
  readonly signerCommonName: string | null;
}

const NOT_SIGNED: SealCheck = {
  signed: false,
  signatureValid: false,
  signedByOurSeal: false,
  coversWholeFile: false,
  signerCommonName: null,
};

/** `sealCertificate`: DER of the national body's seal certificate. Never throws on malformed input. */
export async function checkSeal(pdf: Buffer, sealCertificate: Buffer): Promise<SealCheck> {
  const text = pdf.toString('latin1');
  // The last signature wins: an incremental update that adds a signature appends it at the end.
  const matches = [...text.matchAll(/\/ByteRange\s*\[\s*(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s*\]/g)];
  const match = matches.at(-1);
  if (!match) return NOT_SIGNED;
  const [a, b, c, d] = match.slice(1).map(Number);
  if (a !== 0 || b <= 0 || c <= b || c + d > pdf.length) return { ...NOT_SIGNED, signed: true };
  const contents = text.slice(b, c);
  const hex = /^<([0-9a-fA-F]*)>$/.exec(contents.trim())?.[1];
  if (!hex) return { ...NOT_SIGNED, signed: true };
  const signedBytes = Buffer.concat([pdf.subarray(a, a + b), pdf.subarray(c, c + d)]);
  const coversWholeFile = c + d === pdf.length;

  let signedData: pkijs.SignedData;
  try {
    const asn = asn1js.fromBER(Buffer.from(hex, 'hex'));
    if (asn.offset === -1) return { ...NOT_SIGNED, signed: true, coversWholeFile };
    const contentInfo = new pkijs.ContentInfo({ schema: asn.result });
    signedData = new pkijs.SignedData({ schema: contentInfo.content });
  } catch {
    return { ...NOT_SIGNED, signed: true, coversWholeFile };
  }
  const signer = signedData.certificates?.find((cert): cert is pkijs.Certificate => cert instanceof pkijs.Certificate);
  const signerDer = signer ? Buffer.from(signer.toSchema(true).toBER(false)) : null;
  let signerCommonName: string | null = null;
  if (signerDer) {
    try {
      signerCommonName = /(?:^|\n)CN=([^\n]*)/.exec(new X509Certificate(signerDer).subject)?.[1] ?? null;
    } catch {
      signerCommonName = null;
    }
  }
  let signatureValid: boolean;
  try {
    signatureValid =
      (await signedData.verify(
        { signer: 0, data: toArrayBuffer(signedBytes), checkChain: false, extendedMode: false },
        cryptoEngine,
      )) === true;
  } catch {
    signatureValid = false;
  }
  return {
    signed: true,
    signatureValid,
    signedByOurSeal: signerDer !== null && signerDer.equals(sealCertificate),
    coversWholeFile,
    signerCommonName,
  };
}

function toArrayBuffer(buffer: Buffer): ArrayBuffer {
  return buffer.buffer.slice(buffer.byteOffset, buffer.byteOffset + buffer.byteLength) as ArrayBuffer;
}
