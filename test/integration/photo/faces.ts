/** The face fixtures (test/fixtures/faces/README.md says where each comes from) and images made from them. */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';

const dir = path.join(__dirname, '..', '..', 'fixtures', 'faces');

export const face = (name: string): Buffer => readFileSync(path.join(dir, name));

/** The same photo cropped tighter, brightened, shrunk and recompressed: one face, other pixels. */
export async function astronautReworked(): Promise<Buffer> {
  return sharp(face('astronaut.jpg'))
    .extract({ left: 60, top: 0, width: 340, height: 420 })
    .modulate({ brightness: 1.25, saturation: 0.8 })
    .resize({ width: 260 })
    .jpeg({ quality: 70 })
    .toBuffer();
}

/** Two different people side by side on one 1024×600 JPEG. */
export async function twoFaces(): Promise<Buffer> {
  const left = await sharp(face('astronaut.jpg')).resize({ width: 512, height: 600, fit: 'cover' }).toBuffer();
  const right = await sharp(face('grace-hopper.jpg')).resize({ width: 512, height: 600, fit: 'cover' }).toBuffer();
  return sharp({ create: { width: 1024, height: 600, channels: 3, background: '#808080' } })
    .composite([
      { input: left, left: 0, top: 0 },
      { input: right, left: 512, top: 0 },
    ])
    .jpeg({ quality: 90 })
    .toBuffer();
}

/** A smooth colour gradient with stripes: no face anywhere. */
export async function pattern(): Promise<Buffer> {
  const width = 480;
  const height = 640;
  const pixels = Buffer.alloc(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = (y * width + x) * 3;
      pixels[i] = (x * 255) / width;
      pixels[i + 1] = (y * 255) / height;
      pixels[i + 2] = Math.floor(y / 40) % 2 ? 200 : 60;
    }
  }
  return sharp(pixels, { raw: { width, height, channels: 3 } })
    .jpeg()
    .toBuffer();
}
