import sharp from 'sharp';
import type { Prng } from './prng';

/** Chinese ID-photo size (二寸 at the usual 358 × 441 px), so the certificate layout sees realistic photos. */
export const PORTRAIT_WIDTH = 358;
export const PORTRAIT_HEIGHT = 441;

// Backgrounds of ID photos: blue, white, red, light grey.
const BACKGROUNDS = ['#438edb', '#ffffff', '#d9001b', '#dfe5ec', '#5a9be6'];
const SKIN = ['#f1c9a5', '#e8b48f', '#d8a07a', '#c68863', '#f6d6bc', '#e0ac85'];
const HAIR = ['#1b1b1b', '#2a211c', '#3b2a20', '#101010', '#4a3a2e'];
const CLOTHES = ['#1f2a44', '#111111', '#3c3f44', '#27364f', '#4b2e2e', '#2f4f4f'];

function portraitSvg(prng: Prng, index: number): string {
  const bg = BACKGROUNDS[index % BACKGROUNDS.length];
  const skin = prng.pick(SKIN);
  const hair = prng.pick(HAIR);
  const clothes = prng.pick(CLOTHES);
  const longHair = prng.chance(0.45);
  const glasses = prng.chance(0.3);
  const tie = !longHair && prng.chance(0.6);
  const cx = 179 + prng.int(-6, 6);
  // The face shape varies with the index, so no two portraits are the same picture.
  const faceRx = 62 + (index % 7) * 2;
  const faceRy = 80 + (Math.floor(index / 7) % 5) * 2;
  const faceCy = 190 + prng.int(-5, 5);
  const eyeY = faceCy - 8;
  const hairBack = longHair
    ? `<path d="M${cx - faceRx - 18},${faceCy - 20} Q${cx},${faceCy - faceRy - 70} ${cx + faceRx + 18},${faceCy - 20}
         L${cx + faceRx + 26},${faceCy + 120} L${cx - faceRx - 26},${faceCy + 120} Z" fill="${hair}"/>`
    : '';
  const hairTop = `<path d="M${cx - faceRx - 4},${faceCy - 10} Q${cx - faceRx},${faceCy - faceRy - 30} ${cx},${faceCy - faceRy - 22}
      Q${cx + faceRx},${faceCy - faceRy - 30} ${cx + faceRx + 4},${faceCy - 10}
      Q${cx + faceRx - 10},${faceCy - faceRy + 10} ${cx + prng.int(-20, 20)},${faceCy - faceRy + 22}
      Q${cx - faceRx + 10},${faceCy - faceRy + 10} ${cx - faceRx - 4},${faceCy - 10} Z" fill="${hair}"/>`;
  const spectacles = glasses
    ? `<g fill="none" stroke="#222" stroke-width="3"><circle cx="${cx - 26}" cy="${eyeY}" r="17"/>
       <circle cx="${cx + 26}" cy="${eyeY}" r="17"/><path d="M${cx - 9},${eyeY} L${cx + 9},${eyeY}"/></g>`
    : '';
  const necktie = tie
    ? `<path d="M${cx - 9},${faceCy + 112} L${cx + 9},${faceCy + 112} L${cx + 14},${PORTRAIT_HEIGHT} L${cx - 14},${PORTRAIT_HEIGHT} Z"
         fill="${prng.pick(['#8b1a1a', '#1a3b8b', '#444'])}"/>`
    : '';
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${PORTRAIT_WIDTH}" height="${PORTRAIT_HEIGHT}">
  <rect width="100%" height="100%" fill="${bg}"/>
  ${hairBack}
  <path d="M20,${PORTRAIT_HEIGHT} Q30,${faceCy + 120} ${cx},${faceCy + 105} Q${PORTRAIT_WIDTH - 30},${faceCy + 120}
    ${PORTRAIT_WIDTH - 20},${PORTRAIT_HEIGHT} Z" fill="${clothes}"/>
  <path d="M${cx - 30},${faceCy + 100} L${cx},${faceCy + 150} L${cx + 30},${faceCy + 100} Z" fill="#f4f4f4"/>
  ${necktie}
  <rect x="${cx - 22}" y="${faceCy + 50}" width="44" height="60" fill="${skin}"/>
  <ellipse cx="${cx - faceRx + 2}" cy="${faceCy + 5}" rx="10" ry="18" fill="${skin}"/>
  <ellipse cx="${cx + faceRx - 2}" cy="${faceCy + 5}" rx="10" ry="18" fill="${skin}"/>
  <ellipse cx="${cx}" cy="${faceCy}" rx="${faceRx}" ry="${faceRy}" fill="${skin}"/>
  ${hairTop}
  <path d="M${cx - 38},${eyeY - 20} q12,-7 24,0 M${cx + 14},${eyeY - 20} q12,-7 24,0" stroke="${hair}" stroke-width="5" fill="none"/>
  <ellipse cx="${cx - 26}" cy="${eyeY}" rx="7" ry="5" fill="#2b1d14"/>
  <ellipse cx="${cx + 26}" cy="${eyeY}" rx="7" ry="5" fill="#2b1d14"/>
  <path d="M${cx},${eyeY + 8} q-6,22 0,28 q5,2 9,-1" stroke="#b07a5a" stroke-width="3" fill="none"/>
  <path d="M${cx - 20},${faceCy + 45} q20,${prng.int(6, 14)} 40,0" stroke="#a0524a" stroke-width="4" fill="none"/>
  ${spectacles}
</svg>`;
}

/** Renders `count` distinct portrait-like ID photos as JPEG. */
export async function renderPortraits(prng: Prng, count: number): Promise<Buffer[]> {
  const svgs = Array.from({ length: count }, (_, i) => portraitSvg(prng, i));
  return Promise.all(
    svgs.map((svg) =>
      sharp(Buffer.from(svg)).jpeg({ quality: 85, chromaSubsampling: '4:2:0', mozjpeg: false }).toBuffer(),
    ),
  );
}
