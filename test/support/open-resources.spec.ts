import { closeLeftovers, track, type Closable } from './open-resources';

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

    expect(await closeLeftovers(globalThis, 1_000)).toEqual(['forgotten']);
    expect([forgotten.closes, closedByTest.closes]).toEqual([1, 1]);
    // Closed now: a second teardown finds nothing, and a second close does nothing.
    expect(await closeLeftovers(globalThis, 1_000)).toEqual([]);
    await forgotten.close();
    expect(forgotten.closes).toBe(1);
  });

  it('waits for a start still in flight (its beforeAll timed out) and closes what it yields', async () => {
    const late = new Resource();
    void track('late', new Promise<Resource>((resolve) => setTimeout(() => resolve(late), 50)));
    expect(await closeLeftovers(globalThis, 5_000)).toEqual(['late']);
    expect(late.closes).toBe(1);
  });

  it('gives up on a start that never ends, and forgets one that failed', async () => {
    void track('hung', new Promise<Resource>(() => undefined));
    void track('failed', Promise.reject(new Error('no')));
    await new Promise((resolve) => setImmediate(resolve));
    expect(await closeLeftovers(globalThis, 50)).toEqual(['hung']);
  });
});
