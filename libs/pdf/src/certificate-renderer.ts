import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { beijingToday } from '@app/domain/beijing-date';
import { NATIONAL_BODY_NAME } from '@app/domain/provinces';
import Handlebars from 'handlebars';
import { PDFDocument } from 'pdf-lib';
import type { BrowserPool } from './browser-pool';
import {
  createSubsetFamily,
  type FontLocator,
  fontconfigLocator,
  SANS_CHAIN,
  SEAL_CHAIN,
  SERIF_CHAIN,
  type SubsetFamily,
} from './certificate-fonts';
import { qrSvgDataUrl } from './qr';
import { createSealArtwork, type SealArtwork } from './seal-artwork';

/**
 * Renders the e-certificate (电子非执业会员证, R1) to PDF: Handlebars template → HTML → Chromium `page.pdf()`,
 * A5 landscape. The PDF is unsigned; PdfSealer adds the national body's PAdES signature (R9).
 *
 * Measured on the 2-core development machine (shared with other work, so ranges): 330–410 ms for one render in a
 * warm pool, ~220 ms per certificate with two in flight on an otherwise idle machine; ~250 KB per PDF. Building
 * the HTML (QR code, seal SVGs) takes ~7 ms of that. The rest is Chromium, and most of it is the font: Noto CJK is
 * CFF-flavoured OpenType, which Chromium's PDF backend cannot embed, so it writes every glyph as a Type 3
 * outline. With a TrueType (glyf) CJK font the same page took ~125 ms and ~47 KB (tried with Droid Sans
 * Fallback, regular weight only); the larger PDF also makes sealing slower (PdfSealer parses it). See templates/certificates.
 */

/** A date as stored (`YYYY-MM-DD`, taken literally) or an instant (shown as the date in Beijing). */
export type DateLike = string | Date;

export interface CertificateView {
  /** 12 digits (DESIGN.md, Trust). */
  readonly certificateNo: string;
  /** Version of the certificate for this number, 1 for the first issue; reissues increment it. */
  readonly version: number;
  readonly name: string;
  readonly gender: 'male' | 'female';
  /** The verified certificate photo, JPEG bytes. */
  readonly photoJpeg: Uint8Array;
  /** Full name of the member's local institute, e.g. 北京注册会计师协会; also drawn on its seal. */
  readonly instituteName: string;
  readonly joinedOn: DateLike;
  /** 入会批准文件号. */
  readonly approvalDocNo: string;
  /** Latest passed annual inspection, or null when the member has none yet (printed as 暂无). */
  readonly latestInspection: { readonly year: number; readonly passedOn: DateLike } | null;
  readonly issuedOn: DateLike;
  /** The URL encoded in the QR code: `${baseUrl}/v/${certificateNo}?t=${token}` (QrTokenService.verifyUrl). */
  readonly verifyUrl: string;
}

export interface CertificateRendererOptions {
  /** Directory holding certificate.hbs, certificate.css and seal.svg.hbs; default: found from the project root. */
  readonly templateDir?: string;
  /**
   * Embed the fonts as per-certificate subsets (`@font-face` data: URLs, certificate-fonts.ts); default true.
   * Off, Chromium uses the system font files directly (~200 ms more per print): for comparisons only.
   */
  readonly subsetFonts?: boolean;
  /** Where the fonts of the chains are; default: fontconfig (`fc-match`). */
  readonly fontLocator?: FontLocator;
  /**
   * Most certificates printed in one Chromium document (one page each) when renders queue up; default 10, 1 = one
   * print per certificate. See `render`.
   */
  readonly maxGroup?: number;
}

/**
 * Characters printed on every certificate besides the template's labels; their glyphs go into the fonts prepared
 * at start-up. Only what every certificate prints: every glyph here is sent to Chromium with every page (UMing
 * glyphs are ~400 bytes each), and a leaner page prints faster than one with glyphs it does not use.
 */
const RECURRING_TEXT = `${NATIONAL_BODY_NAME}0123456789年月日第版`;

/** Everything the certificate template sees: plain strings, escaped by Handlebars on output. */
interface CertificateTemplateData {
  /** certificate.css, trusted (from disk); the only value the template writes unescaped. */
  stylesheet: string;
  title: string;
  /** One per certificate, one page each. */
  sheets: SheetData[];
}

interface WaitingRender {
  readonly view: CertificateView;
  readonly resolve: (pdf: Buffer) => void;
  readonly reject: (error: unknown) => void;
}

/** One certificate's values. */
interface SheetData {
  nationalBodyName: string;
  certificateNo: string;
  name: string;
  gender: string;
  memberCategory: string;
  instituteName: string;
  joinedOn: string;
  approvalDocNo: string;
  latestInspection: string;
  issuedOn: string;
  versionLabel: string;
  photoDataUrl: string;
  qrDataUrl: string;
  nationalSealDataUrl: string;
  instituteSealDataUrl: string;
}

const BLANK_SHEET: SheetData = {
  nationalBodyName: '',
  certificateNo: '',
  name: '',
  gender: '',
  memberCategory: '',
  instituteName: '',
  joinedOn: '',
  approvalDocNo: '',
  latestInspection: '',
  issuedOn: '',
  versionLabel: '',
  photoDataUrl: '',
  qrDataUrl: '',
  nationalSealDataUrl: '',
  instituteSealDataUrl: '',
};

const BLANK_TEMPLATE_DATA: CertificateTemplateData = { stylesheet: '', title: '', sheets: [BLANK_SHEET] };

const TEMPLATE_SUBDIR = path.join('templates', 'certificates');
const TEMPLATE_FILE = 'certificate.hbs';

/**
 * Finds `templates/certificates` by walking up from this file, so the same code works from the TypeScript source
 * (libs/pdf/src under Jest) and from the compiled output (dist/libs/pdf/src).
 */
export function findTemplateDir(start: string = __dirname): string {
  let dir = path.resolve(start);
  for (;;) {
    const candidate = path.join(dir, TEMPLATE_SUBDIR);
    if (existsSync(path.join(candidate, TEMPLATE_FILE))) return candidate;
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`${TEMPLATE_SUBDIR}/${TEMPLATE_FILE} not found above ${start}`);
    dir = parent;
  }
}

export class CertificateRenderer {
  private readonly template: Handlebars.TemplateDelegate<CertificateTemplateData>;
  private readonly sealArtwork: SealArtwork;
  private readonly stylesheet: string;
  private readonly fonts: { readonly serif: SubsetFamily; readonly sans: SubsetFamily } | null;
  private readonly maxGroup: number;
  /** Renders waiting for a page; taken in groups of up to `maxGroup` as pages free up. */
  private readonly waiting: WaitingRender[] = [];
  private printing = 0;

  constructor(
    private readonly pool: BrowserPool,
    options: CertificateRendererOptions = {},
  ) {
    this.maxGroup = Math.max(1, Math.floor(options.maxGroup ?? 10));
    // Templates are read and compiled once; a missing or broken template fails at start-up, not at first issue.
    const dir = options.templateDir ?? findTemplateDir();
    const handlebars = Handlebars.create();
    this.stylesheet = readFileSync(path.join(dir, 'certificate.css'), 'utf8');
    // strict: a field missing from the data is an error instead of a silently blank line on a certificate.
    this.template = handlebars.compile<CertificateTemplateData>(readFileSync(path.join(dir, TEMPLATE_FILE), 'utf8'), {
      strict: true,
    });
    // Handlebars compiles on first call; call it now with blank fields so syntax errors and fields the template
    // uses but the data lacks (strict mode) surface here.
    const blank = this.template(BLANK_TEMPLATE_DATA);
    // Fonts: files located and loaded, the template's labels and the recurring values subset, all now.
    const locate = options.fontLocator ?? fontconfigLocator;
    let sealFonts: SubsetFamily | null = null;
    if (options.subsetFonts ?? true) {
      this.fonts = {
        serif: createSubsetFamily('cert-serif', SERIF_CHAIN, visibleText(blank) + RECURRING_TEXT, locate),
        sans: createSubsetFamily('cert-sans', SANS_CHAIN, '0123456789', locate),
      };
      sealFonts = createSubsetFamily('cert-seal', SEAL_CHAIN, '', locate);
    } else {
      this.fonts = null;
    }
    this.sealArtwork = createSealArtwork(readFileSync(path.join(dir, 'seal.svg.hbs'), 'utf8'), (text) =>
      sealFonts ? sealFonts.fontFaces(text) : '',
    );
    this.sealArtwork(NATIONAL_BODY_NAME); // same: compile now, and the national seal is then cached
  }

  /** The certificate page as HTML (also handy for previews and tests that need no browser). */
  async renderHtml(view: CertificateView): Promise<string> {
    assertView(view);
    return this.documentHtml([view]);
  }

  /** One document with a page per certificate (each checked by `render`); its fonts cover every certificate's text. */
  private async documentHtml(views: readonly CertificateView[]): Promise<string> {
    const sheets = await Promise.all(views.map((view) => this.sheetData(view)));
    // The faces of several certificates overlap (labels, institute names): each rule once, in order.
    const faces = new Set(sheets.flatMap((sheet) => this.fontFaces(sheet).split('\n')));
    const data: CertificateTemplateData = {
      stylesheet: [...faces].join('\n') + this.stylesheet,
      title: `电子非执业会员证 ${views.map((v) => v.certificateNo).join('、')}`,
      sheets,
    };
    // The doctype is added here rather than in the template because Prettier's Handlebars formatter drops it,
    // and without it Chromium lays the page out in quirks mode.
    return `<!DOCTYPE html>\n${this.template(data)}`;
  }

  private async sheetData(view: CertificateView): Promise<SheetData> {
    return {
      nationalBodyName: NATIONAL_BODY_NAME,
      certificateNo: view.certificateNo,
      name: view.name,
      gender: view.gender === 'male' ? '男' : '女',
      memberCategory: '非执业会员',
      instituteName: view.instituteName,
      joinedOn: formatDate(view.joinedOn),
      approvalDocNo: view.approvalDocNo,
      latestInspection: view.latestInspection
        ? `${view.latestInspection.year}年度 通过（${formatDate(view.latestInspection.passedOn)}）`
        : '暂无',
      issuedOn: formatDate(view.issuedOn),
      versionLabel: `第 ${view.version} 版`,
      photoDataUrl: `data:image/jpeg;base64,${Buffer.from(view.photoJpeg).toString('base64')}`,
      qrDataUrl: await qrSvgDataUrl(view.verifyUrl),
      nationalSealDataUrl: this.sealArtwork(NATIONAL_BODY_NAME),
      instituteSealDataUrl: this.sealArtwork(view.instituteName),
    };
  }

  /**
   * `@font-face` rules for the page's printed text: the template's labels (prepared at construction), the
   * institute name (prepared once per institute) and the certificate's own values. The seals carry their own.
   */
  private fontFaces(data: SheetData): string {
    if (!this.fonts) return '';
    const values = [
      data.nationalBodyName,
      data.certificateNo,
      data.name,
      data.gender,
      data.memberCategory,
      data.joinedOn,
      data.approvalDocNo,
      data.latestInspection,
      data.issuedOn,
      data.versionLabel,
    ].join('');
    return this.fonts.serif.fontFaces(values, data.instituteName) + this.fonts.sans.fontFaces(data.certificateNo);
  }

  /**
   * The unsigned certificate PDF (one A5 landscape page).
   *
   * Each Chromium print has a fixed cost about as large as the certificate's own (bench/render: the trivial page).
   * So renders that arrive while every page of the pool is busy wait and are then printed together, up to
   * `maxGroup` in one document, and the PDF is split into one file per certificate (pdf-lib copies each page with
   * the fonts and images it uses). A render alone is printed alone, as before; a group that fails is printed again
   * one by one, so one bad certificate never fails the others.
   */
  render(view: CertificateView): Promise<Buffer> {
    try {
      assertView(view); // a bad view is refused now, never inside somebody else's group
    } catch (error) {
      return Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
    return new Promise((resolve, reject) => {
      this.waiting.push({ view, resolve, reject });
      this.drain();
    });
  }

  private drain(): void {
    while (this.waiting.length > 0 && this.printing < this.pool.size) {
      const group = this.waiting.splice(0, this.maxGroup);
      this.printing++;
      void this.printGroup(group).finally(() => {
        this.printing--;
        this.drain();
      });
    }
  }

  private async printGroup(group: WaitingRender[]): Promise<void> {
    try {
      const pdfs = await this.print(group.map((g) => g.view));
      group.forEach((g, i) => g.resolve(pdfs[i]));
    } catch (error) {
      if (group.length === 1) return group[0].reject(error);
      for (const g of group) {
        await this.print([g.view]).then(([pdf]) => g.resolve(pdf), g.reject);
      }
    }
  }

  private async print(views: readonly CertificateView[]): Promise<Buffer[]> {
    const html = await this.documentHtml(views);
    const pdf = await this.pool.withPage(async (page) => {
      // 'load' waits for the data: URL images; fonts are local, so nothing else is pending.
      await page.setContent(html, { waitUntil: 'load' });
      return Buffer.from(
        await page.pdf({
          width: '210mm',
          height: '148mm',
          printBackground: true,
          preferCSSPageSize: true,
          ...(views.length === 1 ? { pageRanges: '1' } : {}),
        }),
      );
    });
    return views.length === 1 ? [pdf] : splitPages(pdf, views);
  }
}

/** One PDF per page of a group print, each titled with its certificate number. */
async function splitPages(pdf: Buffer, views: readonly CertificateView[]): Promise<Buffer[]> {
  const source = await PDFDocument.load(pdf, { updateMetadata: false });
  if (source.getPageCount() !== views.length) {
    throw new Error(`group print has ${source.getPageCount()} pages for ${views.length} certificates`);
  }
  const out: Buffer[] = [];
  for (const [i, view] of views.entries()) {
    const single = await PDFDocument.create({ updateMetadata: false });
    const [page] = await single.copyPages(source, [i]);
    single.addPage(page);
    single.setTitle(`电子非执业会员证 ${view.certificateNo}`);
    single.setLanguage('zh-CN');
    single.setProducer(source.getProducer() ?? 'Chromium');
    single.setCreator(source.getCreator() ?? 'Chromium');
    single.setCreationDate(source.getCreationDate() ?? new Date());
    out.push(Buffer.from(await single.save()));
  }
  return out;
}

/** The text of a page (tags dropped; the template's labels carry no character references). */
function visibleText(html: string): string {
  return html.replace(/<(style|title)[^>]*>[\s\S]*?<\/\1>/g, '').replace(/<[^>]*>/g, '');
}

const JPEG_MAGIC = [0xff, 0xd8, 0xff];
const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

function assertView(view: CertificateView): void {
  if (!/^\d{12}$/.test(view.certificateNo))
    throw new TypeError(`certificateNo must be 12 digits: ${view.certificateNo}`);
  if (!Number.isSafeInteger(view.version) || view.version < 1) throw new TypeError(`bad version: ${view.version}`);
  if (view.gender !== 'male' && view.gender !== 'female') throw new TypeError(`bad gender: ${String(view.gender)}`);
  // The photo goes into a data: URL labelled image/jpeg; anything else would print as a broken image.
  if (!JPEG_MAGIC.every((b, i) => view.photoJpeg[i] === b)) throw new TypeError('photo is not a JPEG');
  if (!/^https?:\/\//.test(view.verifyUrl)) throw new TypeError(`verifyUrl must be http(s): ${view.verifyUrl}`);
  for (const [field, value] of Object.entries({
    name: view.name,
    instituteName: view.instituteName,
    approvalDocNo: view.approvalDocNo,
  })) {
    if (typeof value !== 'string' || value.trim() === '') throw new TypeError(`${field} is empty`);
  }
}

/** `2021-03-05` → `2021年3月5日`, the form used on Chinese certificates. */
export function formatDate(value: DateLike): string {
  const iso = typeof value === 'string' ? value : beijingToday(value);
  const match = ISO_DATE.exec(iso);
  if (!match) throw new TypeError(`not a YYYY-MM-DD date: ${String(value)}`);
  return `${Number(match[1])}年${Number(match[2])}月${Number(match[3])}日`;
}
