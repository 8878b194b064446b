import { humanConfig } from './human-provider';

describe('humanConfig', () => {
  it('never reuses an earlier result (Human caches similar video frames by default)', () => {
    const config = humanConfig('/models', '/wasm/');
    expect(config.cacheSensitivity).toBe(0);
    for (const part of [config.face!.detector, config.face!.mesh, config.face!.description]) {
      expect(part).toMatchObject({ enabled: true, skipFrames: 0, skipTime: 0 });
    }
  });

  it('loads models and wasm from local files only', () => {
    const config = humanConfig('/srv/app/node_modules/@vladmandic/human/models', '/wasm/');
    expect(config.modelBasePath).toBe('file:///srv/app/node_modules/@vladmandic/human/models/');
    expect(config).toMatchObject({ backend: 'wasm', wasmPath: '/wasm/', cacheModels: false });
  });

  it('looks for more than one face, so that a second person is reported', () => {
    expect(humanConfig('/m', '/w/').face!.detector!.maxDetected).toBeGreaterThan(1);
  });
});
