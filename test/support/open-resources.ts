/**
 * What a test file has started (API, worker, browser, worker processes) and not yet closed.
 *
 * Jest runs the test files one after another in one process (maxWorkers 1). A Temporal worker that one file leaves
 * running keeps polling the shared task queues during the next files, taking their tasks with its own settings, and
 * once the global teardown has stopped Temporal it keeps retrying its polls and keeps Jest from ever exiting. That
 * happens when a `beforeAll` times out or one of several parallel starts fails: the file's `afterAll` then sees no
 * handle to close, while the start goes on and succeeds later. The integration test environment
 * (test/setup/environment.ts) closes whatever is still listed here after the file's own hooks, waiting for starts
 * still in flight, and names it.
 */
export interface Closable {
  close(): Promise<unknown>;
}

interface Entry {
  name: string;
  starting: Promise<Closable>;
}

const KEY = '__cicpaOpenResources';

/** This file's list; it lives on the test context's global object, which the test environment can read. */
function openResources(): Set<Entry> {
  const holder = globalThis as typeof globalThis & { [KEY]?: Set<Entry> };
  return (holder[KEY] ??= new Set());
}

/**
 * Lists `starting` until the resource it yields is closed. Its `close` becomes idempotent, so the test's own
 * clean-up and the environment's can both call it.
 */
export function track<T extends Closable>(name: string, starting: Promise<T>): Promise<T> {
  const list = openResources();
  const entry: Entry = { name, starting };
  list.add(entry);
  // Registered before the caller's `await`, so the wrapped close is in place when the caller gets the resource.
  starting.then(
    (resource) => {
      const close = resource.close.bind(resource);
      let closing: Promise<unknown> | undefined;
      resource.close = () => (closing ??= close().finally(() => list.delete(entry)));
    },
    () => list.delete(entry),
  );
  return starting;
}

/** Closes everything still listed (used by the test environment's teardown); the names of what was left open. */
export async function closeLeftovers(global: object, startTimeoutMs: number): Promise<string[]> {
  const list = (global as { [KEY]?: Set<Entry> })[KEY];
  const names: string[] = [];
  for (const entry of [...(list ?? [])]) {
    names.push(entry.name);
    const timeout = new Promise<undefined>((resolve) => setTimeout(() => resolve(undefined), startTimeoutMs).unref());
    const resource = await Promise.race([entry.starting.catch(() => undefined), timeout]);
    await resource?.close().catch(() => undefined);
  }
  return names;
}
