/**
 * Offline photo comparison with `@vladmandic/human` on TensorFlow.js' WebAssembly backend:
 * face detection (BlazeFace), landmarks (FaceMesh, used to align the face) and a 1024-value
 * face embedding (FaceRes), compared by cosine similarity. Models and wasm binaries are read
 * from the installed npm packages; nothing is downloaded at run time.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import sharp from 'sharp';
import type { io } from '@tensorflow/tfjs-core';
import type { Config, FaceResult, Human } from '@vladmandic/human';
import {
  type ComparisonResult,
  cosineSimilarity,
  decideOutcome,
  type PhotoComparisonProvider,
  PhotoComparisonUnavailableError,
} from './photo-comparison';

/** Default lowest cosine similarity accepted as the same person (see docs/decisions.md, photo). */
export const DEFAULT_OFFLINE_THRESHOLD = 0.57;

/** Faces below this detector confidence are ignored, so background texture does not count as a face. */
const MIN_FACE_CONFIDENCE = 0.5;
/** Large phone photos are shrunk first: the detector works on 256 px anyway, decoding 12 MP costs more than the model. */
const MAX_SIDE = 1280;

// `createRequire` rather than `import`: Human's package "exports" only expose the tfjs-node build
// (which cannot be installed here), and the wasm build sits beside it. Under Jest this is
// Jest's own require, so module registries stay consistent.
const requireHere = createRequire(__filename);

type HumanModule = { Human: new (config?: Partial<Config>) => Human };
type Tf = Human['tf'];

interface Engine {
  human: Human;
  tf: Tf;
}

let engine: Promise<Engine> | undefined;
/** Human keeps per-call state in its instance: one detection at a time per process. */
let queue: Promise<unknown> = Promise.resolve();

/** Where the package files live; resolved, not assumed, so hoisting changes nothing. */
function packagePaths(): { humanBuild: string; models: string; wasm: string } {
  const humanDist = path.dirname(requireHere.resolve('@vladmandic/human'));
  const wasm = path.dirname(requireHere.resolve('@tensorflow/tfjs-backend-wasm'));
  return {
    humanBuild: path.join(humanDist, 'human.node-wasm.js'),
    models: path.join(humanDist, '..', 'models'),
    wasm: wasm + path.sep,
  };
}

/** Human's settings: face detection, alignment and description only, never cached. */
export function humanConfig(models: string, wasm: string): Partial<Config> {
  return {
    backend: 'wasm',
    wasmPath: wasm,
    modelBasePath: `file://${models}/`,
    debug: false,
    cacheModels: false,
    warmup: 'none',
    // Human is built for video: by default it reuses the previous frame's faces when the next
    // input looks similar. Two ID photos on white backgrounds look similar, so every call
    // must run every model afresh.
    cacheSensitivity: 0,
    // Only what comparison needs: fewer models load faster and use less memory.
    face: {
      enabled: true,
      // Rotation aligns tilted heads before the embedding; maxDetected > 1 so that a
      // second face in the photo is seen and reported rather than ignored.
      detector: {
        enabled: true,
        skipFrames: 0,
        skipTime: 0,
        rotation: true,
        maxDetected: 5,
        minConfidence: MIN_FACE_CONFIDENCE,
        return: false,
      },
      mesh: { enabled: true, skipFrames: 0, skipTime: 0 },
      iris: { enabled: false },
      description: { enabled: true, skipFrames: 0, skipTime: 0 },
      emotion: { enabled: false },
      antispoof: { enabled: false },
      liveness: { enabled: false },
      attention: { enabled: false },
      gear: { enabled: false },
    },
    body: { enabled: false },
    hand: { enabled: false },
    object: { enabled: false },
    gesture: { enabled: false },
    segmentation: { enabled: false },
    filter: { enabled: false },
  };
}

/**
 * TensorFlow.js reads `file://` models only through tfjs-node. This router loads a graph
 * model's JSON and weight shards from disk instead.
 */
function registerFileLoader(tf: Tf): void {
  tf.io.registerLoadRouter((url: string | string[]) => {
    if (typeof url !== 'string' || !url.startsWith('file://')) return null;
    const file = url.slice('file://'.length);
    return {
      load: async () => {
        const json = JSON.parse(await readFile(file, 'utf8'));
        return tf.io.getModelArtifactsForJSON(json, async (manifest: io.WeightsManifestConfig) => {
          const specs = manifest.flatMap((group) => group.weights);
          const shards = await Promise.all(
            manifest.flatMap((group) => group.paths.map((p) => readFile(path.join(path.dirname(file), p)))),
          );
          const all = Buffer.concat(shards);
          return [specs, all.buffer.slice(all.byteOffset, all.byteOffset + all.byteLength)];
        });
      },
    };
  });
}

async function createEngine(): Promise<Engine> {
  const paths = packagePaths();
  // Fail with a clear message when a file is missing, instead of a model error deep inside tfjs.
  for (const file of [
    path.join(paths.models, 'blazeface.json'),
    path.join(paths.models, 'facemesh.json'),
    path.join(paths.models, 'faceres.json'),
    path.join(paths.wasm, 'tfjs-backend-wasm-simd.wasm'),
  ]) {
    if (!existsSync(file))
      throw new Error(`missing ${file}: reinstall @vladmandic/human and @tensorflow/tfjs-backend-wasm`);
  }
  const { Human: HumanClass } = requireHere(paths.humanBuild) as HumanModule;
  const human = new HumanClass(humanConfig(paths.models, paths.wasm));
  registerFileLoader(human.tf);
  await human.load();
  if (human.tf.getBackend() !== 'wasm') throw new Error(`tfjs backend is ${human.tf.getBackend()}, expected wasm`);
  return { human, tf: human.tf };
}

/** The models, loaded on first use and then kept for the life of the process. */
function loadEngine(): Promise<Engine> {
  engine ??= createEngine().catch((error: unknown) => {
    engine = undefined; // a later call may try again (e.g. after a transient file-system error)
    throw error;
  });
  return engine;
}

/** Runs `task` after every earlier detection has finished. */
function serialised<T>(task: () => Promise<T>): Promise<T> {
  const run = queue.then(task, task);
  queue = run.catch(() => undefined);
  return run;
}

/** Decodes any image sharp reads into RGB pixels, upright (EXIF orientation applied). */
async function decode(image: Buffer): Promise<{ data: Buffer; width: number; height: number }> {
  const { data, info } = await sharp(image)
    .rotate()
    .resize({ width: MAX_SIDE, height: MAX_SIDE, fit: 'inside', withoutEnlargement: true })
    .removeAlpha()
    .toColourspace('srgb')
    .raw()
    .toBuffer({ resolveWithObject: true });
  return { data, width: info.width, height: info.height };
}

/** Faces that Human found, most confident first. */
async function detectFaces(image: Buffer): Promise<FaceResult[]> {
  const pixels = await decode(image);
  const { human, tf } = await loadEngine();
  return serialised(async () => {
    const input = tf.tensor4d(new Int32Array(pixels.data), [1, pixels.height, pixels.width, 3], 'int32');
    try {
      const result = await human.detect(input);
      if (result.error) throw new Error(result.error);
      return result.face.filter((f) => f.score >= MIN_FACE_CONFIDENCE).sort((a, b) => b.score - a.score);
    } finally {
      input.dispose();
    }
  });
}

function abortable<T>(work: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return work;
  // The abandoned work may still fail after the caller has had its answer: that is not news.
  work.catch(() => undefined);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason instanceof Error ? signal.reason : new Error('aborted'));
    if (signal.aborted) return onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

export class HumanPhotoComparisonProvider implements PhotoComparisonProvider {
  readonly name = 'offline';

  constructor(private readonly options: { threshold?: number; timeoutMs?: number } = {}) {}

  get threshold(): number {
    return this.options.threshold ?? DEFAULT_OFFLINE_THRESHOLD;
  }

  /** Loads the models now (e.g. at worker start) instead of on the first comparison. */
  async warmUp(): Promise<void> {
    await loadEngine();
  }

  async compare(reference: Buffer, candidate: Buffer, options?: { signal?: AbortSignal }): Promise<ComparisonResult> {
    // The wasm computation itself cannot be interrupted: a timeout or cancellation answers the
    // caller at once, and the detection still running finishes in the background.
    const signals = [options?.signal, this.options.timeoutMs ? AbortSignal.timeout(this.options.timeoutMs) : undefined];
    const active = signals.filter((s): s is AbortSignal => s !== undefined);
    const signal = active.length > 1 ? AbortSignal.any(active) : active[0];
    try {
      signal?.throwIfAborted();
      const work = (async () => {
        const referenceFaces = await detectFaces(reference);
        signal?.throwIfAborted();
        const candidateFaces = await detectFaces(candidate);
        return { referenceFaces, candidateFaces };
      })();
      const { referenceFaces, candidateFaces } = await abortable(work, signal);
      // A reference photo without a face says nothing about the member: no verdict.
      const ref = referenceFaces[0];
      if (!ref?.embedding?.length) throw new Error('no face found on the reference photo');
      const cand = candidateFaces.length === 1 ? candidateFaces[0] : undefined;
      if (cand && !cand.embedding?.length) throw new Error('no face embedding computed for the candidate photo');
      const score = cand ? round(cosineSimilarity(ref.embedding, cand.embedding!)) : null;
      return decideOutcome(candidateFaces.length, score, this.threshold, this.name);
    } catch (error) {
      if (error instanceof PhotoComparisonUnavailableError) throw error;
      throw new PhotoComparisonUnavailableError(`offline photo comparison failed: ${describe(error)}`, {
        cause: error,
      });
    }
  }

  async countFaces(jpeg: Buffer): Promise<number> {
    try {
      return (await detectFaces(jpeg)).length;
    } catch (error) {
      throw new PhotoComparisonUnavailableError(`offline face detection failed: ${describe(error)}`, { cause: error });
    }
  }
}

/** Four decimals: enough to compare with a threshold, and stable in logs and workflow history. */
function round(score: number): number {
  return Math.round(score * 10_000) / 10_000;
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
