import Handlebars from 'handlebars';

/**
 * Electronic seal artwork (电子印章) for the certificate page: the national body's and the member's local
 * institute's, drawn as SVG from templates/certificates/seal.svg.hbs. The geometry (where each character of the
 * name sits on the arc, the star's points) is computed here so the template stays declarative.
 */

export interface SealArtworkOptions {
  /** Text below the star; default 电子印章. */
  readonly bottomText?: string;
  /** Ink colour; default seal red. */
  readonly color?: string;
}

const SEAL_RED = '#d7161e';

export type SealArtwork = (name: string, options?: SealArtworkOptions) => string;

/**
 * Compiles the seal template once and returns a function producing `data:image/svg+xml` URLs, cached per name.
 * `fontFaces(text)` gives the `@font-face` rules (family `cert-seal`) for the seal's text; an SVG image is a
 * document of its own and sees none of the page's fonts, so the seal carries its font subset inside.
 */
export function createSealArtwork(templateSource: string, fontFaces: (text: string) => string = () => ''): SealArtwork {
  const template = Handlebars.create().compile(templateSource, { strict: true });
  const cache = new Map<string, string>();
  return (name, options = {}) => {
    const bottomText = options.bottomText ?? '电子印章';
    const color = options.color ?? SEAL_RED;
    const key = JSON.stringify([name, bottomText, color]);
    let url = cache.get(key);
    if (!url) {
      const svg = template({
        fontFaces: fontFaces(name + bottomText),
        characters: arcLayout(name),
        starPoints: starPoints(100, 100, 30),
        bottomText,
        color,
      });
      url = `data:image/svg+xml;base64,${Buffer.from(svg, 'utf8').toString('base64')}`;
      // 33 institutes plus the national body: the cache stays tiny.
      if (cache.size < 256) cache.set(key, url);
    }
    return url;
  };
}

/**
 * Spreads the characters of `name` symmetrically over the upper arc: the longer the name, the wider the arc
 * (up to 250°, leaving room for nothing but the bottom gap) and the smaller the type.
 */
export function arcLayout(name: string): Array<{ char: string; angle: string; fontSize: string; baseline: string }> {
  const chars = Array.from(name);
  const n = Math.max(1, chars.length);
  const span = Math.min(250, Math.max(120, n * 21));
  const step = span / n;
  const radius = 70; // baseline radius, inside the inner ring at r=88
  const fontSize = Math.min(26, ((2 * Math.PI * radius * step) / 360) * 0.92);
  // Each character carries the shared size and baseline too: the template then needs no parent-scope lookups.
  const shared = { fontSize: fontSize.toFixed(1), baseline: (100 - 84 + fontSize * 0.88).toFixed(1) };
  return chars.map((char, i) => ({ char, angle: (-span / 2 + step * (i + 0.5)).toFixed(2), ...shared }));
}

/** The five-pointed star's ten vertices, first point straight up. */
export function starPoints(cx: number, cy: number, outer: number): string {
  const inner = outer * 0.382; // regular pentagram: inner/outer = 1/φ²
  const points: string[] = [];
  for (let i = 0; i < 10; i += 1) {
    const r = i % 2 === 0 ? outer : inner;
    const a = -Math.PI / 2 + (i * Math.PI) / 5;
    points.push(`${(cx + r * Math.cos(a)).toFixed(2)},${(cy + r * Math.sin(a)).toFixed(2)}`);
  }
  return points.join(' ');
}
