import { readFileSync } from 'node:fs';

/**
 * Font subsetting with HarfBuzz's hb-subset (the WebAssembly build shipped in the `harfbuzzjs` package, called
 * directly: its JavaScript wrapper has no subsetting API, and `subset-font` copies the whole font file into wasm
 * memory on every call).
 *
 * Why: Chromium's PDF backend embeds every font a page uses as a subset, and it builds that subset from the font
 * file it found. For the 20–30 MB CJK files (AR PL UMing, HanaMin) that took ~200 ms of every certificate's
 * `page.pdf()`. Given a font that holds only the page's characters (a few KB, as an `@font-face` data: URL),
 * Chromium's own subsetting costs next to nothing. Each font file is copied into wasm memory once per process
 * (~25 ms for UMing); a subset of ~80 characters then takes ~0.5 ms (measured).
 *
 * Two quirks of this wasm build, both measured: its memory is fixed at 65 MB (it cannot grow), so every font gets
 * an instance of its own (HanaMinB alone is 31 MB); and `hb_subset_preprocess` breaks subsetting of UMing (no
 * output, or failure with the no-hinting flag), so faces are not preprocessed; they need not be.
 */

/** `hb_subset_flags_t`: drop TrueType hinting (instructions only matter when rasterising at small sizes). */
const HB_SUBSET_FLAGS_NO_HINTING = 0x1;
/** `hb_memory_mode_t`: the blob reads the bytes in place (they stay in wasm memory for the process). */
const HB_MEMORY_MODE_READONLY = 1;

interface HbSubsetExports {
  readonly memory: { readonly buffer: ArrayBuffer };
  _initialize?(): void;
  malloc(size: number): number;
  free(ptr: number): void;
  hb_blob_create(data: number, length: number, mode: number, userData: number, destroy: number): number;
  hb_blob_destroy(blob: number): void;
  hb_blob_get_length(blob: number): number;
  hb_blob_get_data(blob: number, length: number): number;
  hb_face_create(blob: number, index: number): number;
  hb_face_destroy(face: number): void;
  hb_face_reference_blob(face: number): number;
  hb_set_add(set: number, codepoint: number): void;
  hb_subset_input_create_or_fail(): number;
  hb_subset_input_destroy(input: number): void;
  hb_subset_input_unicode_set(input: number): number;
  hb_subset_input_set_flags(input: number, flags: number): void;
  hb_subset_or_fail(face: number, input: number): number;
}

/** The global `WebAssembly` (the project's type libraries do not declare it: no DOM lib). */
const WebAssemblyApi = (
  globalThis as unknown as {
    WebAssembly: {
      Module: new (bytes: Uint8Array) => object;
      Instance: new (module: object, imports: object) => { exports: unknown };
    };
  }
).WebAssembly;

let wasmModule: object | undefined;

/** A fresh hb-subset instance with memory of its own (the module is compiled once). */
function instantiate(): HbSubsetExports {
  wasmModule ??= new WebAssemblyApi.Module(readFileSync(require.resolve('harfbuzzjs/dist/harfbuzz-subset.wasm')));
  const api = new WebAssemblyApi.Instance(wasmModule, {}).exports as HbSubsetExports;
  api._initialize?.();
  return api;
}

/** One face of a font file (a TrueType collection has several), loaded into hb-subset once. */
export class SubsettableFont {
  private readonly api: HbSubsetExports;
  private readonly face: number;
  private readonly coverage: Uint8Array;

  /** `bytes`: the whole font file; `index`: the face within a collection (.ttc), 0 otherwise. */
  constructor(bytes: Uint8Array, index = 0) {
    this.coverage = cmapCoverage(bytes, index);
    const api = (this.api = instantiate());
    const ptr = api.malloc(bytes.length);
    if (!ptr) throw new Error(`hb-subset: a ${bytes.length}-byte font does not fit in wasm memory`);
    new Uint8Array(api.memory.buffer, ptr, bytes.length).set(bytes);
    const blob = api.hb_blob_create(ptr, bytes.length, HB_MEMORY_MODE_READONLY, 0, 0);
    this.face = api.hb_face_create(blob, index);
    api.hb_blob_destroy(blob); // the face holds its own reference
  }

  static fromFile(file: string, index = 0): SubsettableFont {
    return new SubsettableFont(readFileSync(file), index);
  }

  /** Whether the font's character map has a glyph for `codePoint`. */
  covers(codePoint: number): boolean {
    return (this.coverage[codePoint >> 3] & (1 << (codePoint & 7))) !== 0;
  }

  /** A TrueType font holding exactly the glyphs for `codePoints` (those the font has), without hinting. */
  subset(codePoints: Iterable<number>): Buffer {
    const api = this.api;
    const input = api.hb_subset_input_create_or_fail();
    if (!input) throw new Error('hb-subset: cannot create input');
    try {
      const unicodes = api.hb_subset_input_unicode_set(input);
      for (const cp of codePoints) api.hb_set_add(unicodes, cp);
      api.hb_subset_input_set_flags(input, HB_SUBSET_FLAGS_NO_HINTING);
      const result = api.hb_subset_or_fail(this.face, input);
      if (!result) throw new Error('hb-subset: subsetting failed');
      const blob = api.hb_face_reference_blob(result);
      try {
        const length = api.hb_blob_get_length(blob);
        const data = api.hb_blob_get_data(blob, 0);
        return Buffer.from(new Uint8Array(api.memory.buffer, data, length));
      } finally {
        api.hb_blob_destroy(blob);
        api.hb_face_destroy(result);
      }
    } finally {
      api.hb_subset_input_destroy(input);
    }
  }
}

/**
 * The code points a font's `cmap` maps to a real glyph (not .notdef), as a bitmap over U+0000…U+10FFFF. Reads
 * the Unicode subtables: format 12 (full repertoire) if present, else format 4 (BMP).
 */
export function cmapCoverage(bytes: Uint8Array, index = 0): Uint8Array {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const tag = (at: number) => String.fromCharCode(bytes[at], bytes[at + 1], bytes[at + 2], bytes[at + 3]);
  let sfnt = 0;
  if (tag(0) === 'ttcf') {
    const count = view.getUint32(8);
    if (index >= count) throw new RangeError(`font collection has ${count} faces, not ${index + 1}`);
    sfnt = view.getUint32(12 + 4 * index);
  }
  const numTables = view.getUint16(sfnt + 4);
  let cmap = -1;
  for (let i = 0; i < numTables; i += 1) {
    const record = sfnt + 12 + 16 * i;
    if (tag(record) === 'cmap') cmap = view.getUint32(record + 8);
  }
  if (cmap < 0) throw new Error('font has no cmap table');

  let format4 = -1;
  let format12 = -1;
  const subtables = view.getUint16(cmap + 2);
  for (let i = 0; i < subtables; i += 1) {
    const platform = view.getUint16(cmap + 4 + 8 * i);
    const encoding = view.getUint16(cmap + 6 + 8 * i);
    const offset = cmap + view.getUint32(cmap + 8 + 8 * i);
    const unicode = platform === 0 || (platform === 3 && (encoding === 1 || encoding === 10));
    if (!unicode) continue;
    const format = view.getUint16(offset);
    if (format === 12 && format12 < 0) format12 = offset;
    if (format === 4 && format4 < 0) format4 = offset;
  }

  const bits = new Uint8Array(0x110000 >> 3);
  const set = (cp: number) => {
    bits[cp >> 3] |= 1 << (cp & 7);
  };
  if (format12 >= 0) {
    const groups = view.getUint32(format12 + 12);
    for (let g = 0; g < groups; g += 1) {
      const at = format12 + 16 + 12 * g;
      const start = view.getUint32(at);
      const end = Math.min(view.getUint32(at + 4), 0x10ffff);
      const startGlyph = view.getUint32(at + 8);
      for (let cp = start; cp <= end; cp += 1) if (startGlyph + (cp - start) !== 0) set(cp);
    }
  } else if (format4 >= 0) {
    const segments = view.getUint16(format4 + 6) >> 1;
    const ends = format4 + 14;
    const starts = ends + 2 * segments + 2;
    const deltas = starts + 2 * segments;
    const rangeOffsets = deltas + 2 * segments;
    for (let s = 0; s < segments; s += 1) {
      const start = view.getUint16(starts + 2 * s);
      const end = view.getUint16(ends + 2 * s);
      const delta = view.getUint16(deltas + 2 * s);
      const rangeOffset = view.getUint16(rangeOffsets + 2 * s);
      for (let cp = start; cp <= end && cp !== 0xffff; cp += 1) {
        let glyph: number;
        if (rangeOffset === 0) glyph = (cp + delta) & 0xffff;
        else {
          const at = rangeOffsets + 2 * s + rangeOffset + 2 * (cp - start);
          glyph = view.getUint16(at);
          if (glyph !== 0) glyph = (glyph + delta) & 0xffff;
        }
        if (glyph !== 0) set(cp);
      }
    }
  } else {
    throw new Error('font has no Unicode cmap subtable');
  }
  return bits;
}
