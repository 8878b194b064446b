import { closeAll, track, type Closable } from './open-resources';

class Resource implements Closable {
  closes = 0;
  async close(): Promise<void> {
    this.closes++;
  }
}

describe('open resources of a test file', () => {
  it('closes what was started and never closed, once, and names it', async () => {
    const forgotten = new Resource();
    const closedByTest = new Resource();
    await track('forgotten', Promise.resolve(forgotten));
    await (await track('closed by the test', Promise.resolve(closedByTest))).close();

    expect(await closeAll(globalThis, 1_000)).toEqual(['forgotten']);
    expect([forgotten.closes, closedByTest.closes]).toEqual([1, 1]);
    // Closed now: a second teardown finds nothing, and a second close does nothing.
    expect(await closeAll(globalThis, 1_000)).toEqual([]);
    await forgotten.close();
    expect(forgotten.closes).toBe(1);
  });

  it('waits for a start still in flight (its beforeAll timed out) and closes what it yields', async () => {
    const late = new Resource();
    void track('late', new Promise<Resource>((resolve) => setTimeout(() => resolve(late), 50)));
    expect(await closeAll(globalThis, 5_000)).toEqual(['late']);
    expect(late.closes).toBe(1);
  });

  it('closes the latest first: a worker before the server it polls', async () => {
    const closed: string[] = [];
    const named = (name: string) => ({ close: async () => void closed.push(name) });
    await track('server', Promise.resolve(named('server')));
    await track('worker', Promise.resolve(named('worker')));
    expect(await closeAll(globalThis, 1_000)).toEqual(['worker', 'server']);
    expect(closed).toEqual(['worker', 'server']);
  });

  it('gives up on a close that never ends', async () => {
    const stuck = { close: () => new Promise<void>(() => undefined) };
    await track('stuck', Promise.resolve(stuck));
    expect(await closeAll(globalThis, 50)).toEqual(['stuck']);
  });

  it('gives up on a start that never ends, and forgets one that failed', async () => {
    void track('hung', new Promise<Resource>(() => undefined));
    void track('failed', Promise.reject(new Error('no')));
    await new Promise((resolve) => setImmediate(resolve));
    expect(await closeAll(globalThis, 50)).toEqual(['hung']);
  });
});
