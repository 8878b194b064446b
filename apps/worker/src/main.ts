import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { Logger } from 'nestjs-pino';
import { loadEnvFile, loadConfigOrExit } from '@app/config/boot';
import { WorkerModule } from './worker.module';

async function bootstrap(): Promise<void> {
  loadEnvFile();
  const config = loadConfigOrExit();
  const app = await NestFactory.createApplicationContext(WorkerModule.forRoot(config), { bufferLogs: true });
  app.useLogger(app.get(Logger));
  // SIGINT/SIGTERM → Nest closes the context → WorkerHost drains the workers.
  app.enableShutdownHooks();
  await app.init();
}

void bootstrap();
