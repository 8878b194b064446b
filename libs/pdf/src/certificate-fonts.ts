import { execFileSync } from 'node:child_process';
import { SubsettableFont } from './font-subset';

/**
 * The certificate's fonts as `@font-face` rules holding exactly the characters printed, so that Chromium's PDF
 * backend subsets a few-KB font instead of the 20–30 MB system files (docs/decisions.md, Certificates).
 *
 * A family (`cert-serif`, `cert-sans`) is a chain of system fonts, as in certificate.css: each character goes to
 * the first font of the chain whose cmap has it, and every font that gets characters becomes one `@font-face`
 * of the family with those characters as its `unicode-range`, so Chromium picks per character exactly the face
 * the system chain would have picked. Characters no font of the chain has get no face: the stylesheet names the
 * system fonts after the subset family, so they fall back exactly as before (Noto CJK, then fontconfig), and
 * FontCoverage still refuses names that nothing can print.
 *
 * Work per certificate is kept small: the static text (labels, the national body's and the institutes' names,
 * digits, date words) is subset once per process into faces of its own; a certificate adds faces only for its
 * other characters (usually the member's name), a few KB and well under a millisecond each.
 */

/** A font of a chain: the family name fontconfig knows it by. */
export type FontChain = readonly string[];

/** Latin first (UMing's Latin letters are full-width), then the Ming face, then the rare CJK extensions. */
export const SERIF_CHAIN: FontChain = ['Liberation Serif', 'AR PL UMing CN', 'HanaMinA', 'HanaMinB'];
/** Certificate numbers. */
export const SANS_CHAIN: FontChain = ['Liberation Sans'];
/** Text on the seals (seal.svg.hbs): the Ming face, then the rare CJK extensions. */
export const SEAL_CHAIN: FontChain = ['AR PL UMing CN', 'HanaMinA', 'HanaMinB'];

/** Where fontconfig has a family: file and face index, or null when the family is not installed. */
export type FontLocator = (family: string) => { file: string; index: number } | null;

/**
 * Asks fontconfig (as Chromium does) for the file of `family`; null if it would substitute another family.
 * Synchronous: called a few times when the renderer is constructed.
 */
export const fontconfigLocator: FontLocator = (family) => {
  const stdout = execFileSync('fc-match', ['--format=%{file}\n%{index}\n%{family}', family], {
    encoding: 'utf8',
    timeout: 10_000,
  });
  const [file, index, families] = stdout.split('\n');
  if (!file || !families?.split(',').includes(family)) return null;
  return { file, index: Number(index) || 0 };
};

interface ChainFont {
  readonly family: string;
  readonly file: string;
  readonly index: number;
}

/** Fonts loaded into hb-subset, shared by all families of the process; each on first use (HanaMin only when needed). */
const loadedFonts = new Map<string, SubsettableFont>();

function load(font: ChainFont): SubsettableFont {
  const key = `${font.file}#${font.index}`;
  let loaded = loadedFonts.get(key);
  if (!loaded) loadedFonts.set(key, (loaded = SubsettableFont.fromFile(font.file, font.index)));
  return loaded;
}

/** Distinct code points of `text` except line breaks and other controls (spaces included: they need a glyph). */
export function codePointsOf(text: string): Set<number> {
  const set = new Set<number>();
  for (const c of text) {
    const cp = c.codePointAt(0)!;
    if (cp >= 0x20 && cp !== 0x7f) set.add(cp);
  }
  return set;
}

/** `U+4E2D,U+56FD,…` (code points in ascending order). */
function unicodeRange(codePoints: readonly number[]): string {
  return codePoints.map((cp) => `U+${cp.toString(16).toUpperCase()}`).join(',');
}

/** One chain of fonts under one CSS family name, with the faces of recurring text prepared once. */
export class SubsetFamily {
  private readonly cached = new Map<string, { codePoints: Set<number>; css: string }>();

  constructor(
    readonly cssFamily: string,
    private readonly fonts: readonly ChainFont[],
    private readonly staticText: string,
  ) {
    this.prepared(''); // the static text alone: fonts loaded and subset now, not at the first certificate
  }

  /**
   * `@font-face` rules covering every character of `staticText`, `recurring` and `text`. The faces for the static
   * text plus `recurring` (an institute name: 33 values) are built once and cached; only the characters of `text`
   * outside them (usually the member's name) are subset per call.
   */
  fontFaces(text: string, recurring = ''): string {
    const base = this.prepared(recurring);
    const extra = [...codePointsOf(text)].filter((cp) => !base.codePoints.has(cp));
    return extra.length === 0 ? base.css : base.css + this.faces(extra);
  }

  private prepared(recurring: string): { codePoints: Set<number>; css: string } {
    let entry = this.cached.get(recurring);
    if (!entry) {
      const codePoints = codePointsOf(this.staticText + recurring);
      entry = { codePoints, css: this.faces(codePoints) };
      if (this.cached.size < 256) this.cached.set(recurring, entry);
    }
    return entry;
  }

  private faces(codePoints: Iterable<number>): string {
    const byFont = new Map<ChainFont, number[]>();
    for (const cp of codePoints) {
      const font = this.fonts.find((f) => load(f).covers(cp));
      if (!font) continue; // left to the system fallback named after the family in the stylesheet
      let list = byFont.get(font);
      if (!list) byFont.set(font, (list = []));
      list.push(cp);
    }
    let css = '';
    for (const [font, list] of byFont) {
      list.sort((a, b) => a - b);
      const data = load(font).subset(list).toString('base64');
      // TrueType (not WOFF2): Chromium reads it as is, with no decompression per page.
      css +=
        `@font-face{font-family:'${this.cssFamily}';src:url(data:font/ttf;base64,${data}) format('truetype');` +
        `unicode-range:${unicodeRange(list)};}\n`;
    }
    return css;
  }
}

/** Builds a family from the installed fonts of `chain`; families missing on this host are skipped. */
export function createSubsetFamily(
  cssFamily: string,
  chain: FontChain,
  staticText: string,
  locate: FontLocator = fontconfigLocator,
): SubsetFamily {
  const located = chain.map((family) => ({ family, at: locate(family) }));
  const fonts = located.flatMap(({ family, at }) => (at ? [{ family, file: at.file, index: at.index }] : []));
  return new SubsetFamily(cssFamily, fonts, staticText);
}
