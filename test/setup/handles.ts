/**
 * Cleanups registered by global set-up and run by global teardown. Both run in Jest's parent
 * process but may load this module separately, so the list lives on globalThis.
 */
type Cleanup = () => Promise<void>;
const store = globalThis as typeof globalThis & { __cicpaCleanups?: Cleanup[] };
const cleanups = (store.__cicpaCleanups ??= []);

export function registerCleanup(cleanup: Cleanup): void {
  cleanups.push(cleanup);
  // A Ctrl-C during the run must not leave servers behind either.
  if (cleanups.length === 1) {
    for (const signal of ['SIGINT', 'SIGTERM'] as const) {
      process.once(signal, () => void runCleanups().finally(() => process.exit(130)));
    }
  }
}

export async function runCleanups(): Promise<void> {
  while (cleanups.length) await cleanups.pop()!().catch(() => undefined);
}
