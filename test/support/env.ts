/** Settings the Jest global set-up passes to test files through the environment. */
export function requireEnv(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: run tests through \`npm test\` (jest.config.js global set-up)`);
  return value;
}

export const testServerPath = () => requireEnv('TEMPORAL_TEST_SERVER');
