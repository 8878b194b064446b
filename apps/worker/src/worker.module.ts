import { Module } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import { AppConfigModule, type AppConfig } from '@app/config';
import { PersistenceModule } from '@app/persistence/nest/persistence.module';
import { BlobStoreModule } from '@app/persistence/nest/blob-store.module';
import { REGISTRY_ACTIVITY_CLASSES, RENDER_ACTIVITY_CLASSES } from './activity-classes';
import { PdfModule } from '@app/pdf/nest/pdf.module';
import { PhotoModule } from '@app/photo';
import { ExamPhotoSourceModule } from '@app/activities/photos/exam-photo-source';
import { NotificationTransports } from '@app/activities/notifications/transports';
import { WorkerHost } from './worker-host';

/** The worker process: a Nest application context (no HTTP) hosting the Temporal workers. */
@Module({})
export class WorkerModule {
  static forRoot(config: AppConfig) {
    return {
      module: WorkerModule,
      imports: [
        AppConfigModule.forRoot(config),
        LoggerModule.forRoot({
          pinoHttp: {
            level: config.logLevel,
            name: 'worker',
            // Readable one-line logs in a developer's terminal; JSON lines everywhere else.
            transport:
              config.nodeEnv === 'development' ? { target: 'pino-pretty', options: { singleLine: true } } : undefined,
          },
        }),
        PersistenceModule,
        BlobStoreModule,
        PdfModule,
        // The comparison provider configured by PHOTO_COMPARISON_* (the offline model loads on first comparison).
        PhotoModule,
        ExamPhotoSourceModule,
      ],
      // NotificationTransports: the mail and SMS transports of NotificationActivities (MAIL_TRANSPORT, SMS_TRANSPORT).
      providers: [...REGISTRY_ACTIVITY_CLASSES, ...RENDER_ACTIVITY_CLASSES, NotificationTransports, WorkerHost],
      exports: [WorkerHost],
    };
  }
}
