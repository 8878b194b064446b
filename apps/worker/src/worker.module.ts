import { Module } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import { AppConfigModule, type AppConfig } from '@app/config';
import { PersistenceModule } from '@app/persistence/nest/persistence.module';
import { BlobStoreModule } from '@app/persistence/nest/blob-store.module';
import { AuditActivities } from '@app/activities/audit/audit.activities';
import { RenderActivities } from '@app/activities/render/render.activities';
import { PdfModule } from '@app/pdf/nest/pdf.module';
import { WorkerHost } from './worker-host';

/** The worker process: a Nest application context (no HTTP) hosting the Temporal workers. */
@Module({})
export class WorkerModule {
  static forRoot(config: AppConfig) {
    return {
      module: WorkerModule,
      imports: [
        AppConfigModule.forRoot(config),
        LoggerModule.forRoot({ pinoHttp: { level: config.logLevel, name: 'worker' } }),
        PersistenceModule,
        BlobStoreModule,
        PdfModule,
      ],
      providers: [AuditActivities, RenderActivities, WorkerHost],
      exports: [WorkerHost],
    };
  }
}
