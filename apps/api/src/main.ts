import 'reflect-metadata';
import { loadConfigOrExit, loadEnvFile } from '@app/config/boot';
import { createApiApp } from './app.factory';

async function bootstrap(): Promise<void> {
  loadEnvFile();
  const config = loadConfigOrExit();
  const app = await createApiApp(config);
  await app.listen(config.api.port, config.api.host);
}

void bootstrap();
