import { loadConfigOrExit } from './boot';

describe('loadConfigOrExit', () => {
  const saved = { ...process.env };
  afterEach(() => {
    process.env = { ...saved };
    jest.restoreAllMocks();
  });

  it('stops the process with exit code 78 and a message naming each bad setting', () => {
    process.env = { ...saved, DATABASE_URL: 'not a url', SESSION_SECRET: undefined, API_PORT: '99999' };
    const exit = jest.spyOn(process, 'exit').mockImplementation(((code: number) => {
      throw new Error(`exit ${code}`);
    }) as never);
    const stderr = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);

    expect(() => loadConfigOrExit()).toThrow('exit 78');
    expect(exit).toHaveBeenCalledWith(78);
    const message = stderr.mock.calls.map((c) => String(c[0])).join('');
    expect(message).toContain('DATABASE_URL must be a postgres');
    expect(message).toContain('SESSION_SECRET is required');
    expect(message).toContain('API_PORT must be a whole number from 1 to 65535');
  });
});
