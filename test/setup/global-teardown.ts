import { runCleanups } from './handles';

export default async function globalTeardown(): Promise<void> {
  await runCleanups();
}
