// Three test tiers (DESIGN.md, Testing). Services for `workflows` and `integration` are
// started once per run by test/setup/global-setup.ts on free ports and stopped afterwards.
const swc = ['@swc/jest', { swcrc: true }];
const moduleNameMapper = {
  '^@app/(domain|persistence|temporal|pdf|config|photo)$': '<rootDir>/libs/$1/src',
  '^@app/(domain|persistence|temporal|pdf|config|photo)/(.*)$': '<rootDir>/libs/$1/src/$2',
  '^@app/activities/(.*)$': '<rootDir>/activities/$1',
  '^@app/workflows$': '<rootDir>/workflows',
  '^@app/workflows/(.*)$': '<rootDir>/workflows/$1',
};
const common = {
  transform: { '^.+\\.(t|j)s$': swc },
  moduleNameMapper,
  testEnvironment: 'node',
  rootDir: __dirname,
};

/** @type {import('jest').Config} */
module.exports = {
  // Test files share one Temporal dev server and its task queues; each file starts its own worker (often with its
  // own settings, e.g. which photo-comparison provider). One file at a time keeps a workflow of one file from being
  // picked up by another file's worker. (On this 2-core kind of machine Jest would use one worker anyway.)
  maxWorkers: 1,
  globalSetup: '<rootDir>/test/setup/global-setup.ts',
  globalTeardown: '<rootDir>/test/setup/global-teardown.ts',
  projects: [
    {
      ...common,
      displayName: 'unit',
      testMatch: [
        '<rootDir>/{apps,libs,activities,workflows,scripts}/**/*.spec.ts',
        '<rootDir>/test/support/**/*.spec.ts',
      ],
    },
    {
      ...common,
      displayName: 'workflows',
      // Closes what a file started and left open (a worker whose test timed out, say); see test/setup/environment.ts.
      testEnvironment: '<rootDir>/test/setup/environment.ts',
      setupFiles: ['<rootDir>/test/setup/quiet-temporal.ts'],
      testMatch: ['<rootDir>/test/workflows/**/*.test.ts'],
    },
    {
      ...common,
      displayName: 'integration',
      // Closes what a file started and left open (a worker started after its beforeAll timed out, say).
      testEnvironment: '<rootDir>/test/setup/environment.ts',
      setupFiles: ['<rootDir>/test/setup/quiet-temporal.ts'],
      testMatch: ['<rootDir>/test/{integration,e2e,browser}/**/*.test.ts'],
    },
  ],
};
