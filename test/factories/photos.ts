/** Photos for rendering tests and benchmarks. */
import sharp from 'sharp';

let photoJpeg: Promise<Buffer> | undefined;

/**
 * A 300 × 400 JPEG with noise, so it is about as large as a real ID photo (a flat colour
 * compresses to ~1 KB and would make rendering look cheaper than it is). Made once per process.
 */
export function testPhoto(): Promise<Buffer> {
  return (photoJpeg ??= sharp({
    create: {
      width: 300,
      height: 400,
      channels: 3,
      background: '#7a9cc6',
      noise: { type: 'gaussian', mean: 128, sigma: 20 },
    },
  })
    .jpeg({ quality: 85 })
    .toBuffer());
}
