/**
 * What a test file has started (API, worker, browser, worker processes) and not yet closed.
 *
 * Jest runs the test files one after another in one process (maxWorkers 1). A Temporal worker that one file leaves
 * running keeps polling the shared task queues during the next files, taking their tasks with its own settings, and
 * once the global teardown has stopped Temporal it keeps retrying its polls and keeps Jest from ever exiting. That
 * happens when a `beforeAll` times out or one of several parallel starts fails: the file's `afterAll` then sees no
 * handle to close, while the start goes on and succeeds later. The test environment (test/setup/environment.ts)
 * closes whatever is still listed here after the file's own hooks, waiting for starts still in flight, and names it.
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
function openResources(global: object = globalThis): Set<Entry> {
  const holder = global as { [KEY]?: Set<Entry> };
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

/** `promise`, or undefined once `ms` have passed. */
function within<T>(promise: Promise<T>, ms: number): Promise<T | undefined> {
  const timeout = new Promise<undefined>((resolve) => setTimeout(() => resolve(undefined), ms).unref());
  return Promise.race([promise.catch(() => undefined), timeout]);
}

/**
 * Closes everything still listed, the latest first (a worker before the server it polls), and returns their names.
 * A test file's `afterAll` may call it; the test environment calls it after the file's hooks and names what was
 * left. Each start and each close gets at most `timeoutMs`, so a stuck one cannot hold the run.
 */
export async function closeAll(global: object = globalThis, timeoutMs = 120_000): Promise<string[]> {
  const list = openResources(global);
  const names: string[] = [];
  for (const entry of [...list].reverse()) {
    list.delete(entry);
    names.push(entry.name);
    const resource = await within(entry.starting, timeoutMs);
    if (resource) await within(resource.close(), timeoutMs);
  }
  return names;
}
