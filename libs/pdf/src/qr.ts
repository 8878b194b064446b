import * as QRCode from 'qrcode';

/**
 * QR codes for the verification URL (R2). Error correction level M (15 % recoverable) is the usual choice for
 * printed codes that may be scuffed or partly covered; a verification URL with its 88-character token needs a
 * version 7–8 symbol (45–49 modules) at M.
 *
 * The certificate prints the SVG form: vector modules stay sharp at any print or render resolution, so a 150-dpi
 * rendering of the PDF still decodes (test/integration/pdf). The PNG form is for screens and e-mails.
 */
const BASE_OPTIONS = { errorCorrectionLevel: 'M', margin: 4 } as const;

export interface QrPngOptions {
  /** Pixels per module; 8 gives a ~400 px image for a verification URL, plenty for any camera. */
  readonly scale?: number;
}

/** `data:image/svg+xml;base64,…` of a QR code for `text`, black on white, quiet zone of 4 modules included. */
export async function qrSvgDataUrl(text: string): Promise<string> {
  const svg = await QRCode.toString(text, {
    ...BASE_OPTIONS,
    type: 'svg',
    color: { dark: '#000000', light: '#ffffff' },
  });
  return `data:image/svg+xml;base64,${Buffer.from(svg, 'utf8').toString('base64')}`;
}

/** `data:image/png;base64,…` of a QR code for `text`. */
export async function qrPngDataUrl(text: string, options: QrPngOptions = {}): Promise<string> {
  return QRCode.toDataURL(text, { ...BASE_OPTIONS, type: 'image/png', scale: options.scale ?? 8 });
}
