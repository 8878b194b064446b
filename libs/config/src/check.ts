/**
 * `node dist/libs/config/src/check.js`: validates the configuration and exits, so the
 * launcher stops before starting anything when a setting is missing or malformed.
 */
import { loadConfigOrExit, loadEnvFile } from './boot';

loadEnvFile();
loadConfigOrExit();
