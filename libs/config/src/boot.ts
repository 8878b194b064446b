import { existsSync } from 'node:fs';
import path from 'node:path';
import { ConfigError, loadConfig, type AppConfig } from './config';

/** Loads `.env` from the working directory when there is one (Node's own parser). */
export function loadEnvFile(file = path.resolve('.env')): void {
  if (existsSync(file)) process.loadEnvFile(file);
}

/** For process entry points: a bad setting prints its name and exits 78 (EX_CONFIG). */
export function loadConfigOrExit(): AppConfig {
  try {
    return loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(78);
    }
    throw error;
  }
}
