import { DynamicModule, Module, RequestMethod } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { LoggerModule } from 'nestjs-pino';
import { AppConfigModule, type AppConfig } from '@app/config';
import { PersistenceModule } from '@app/persistence/nest/persistence.module';
import { TemporalClientModule } from '@app/temporal';
import { ApplicationsModule } from './applications/applications.module';
import { AuthModule } from './auth/auth.module';
import { CampaignsModule } from './campaigns/campaigns.module';
import { TasksModule } from './tasks/tasks.module';
import { AllExceptionsFilter } from './common/exception.filter';
import { HealthModule } from './health/health.module';
import { InspectionsModule } from './inspections/inspections.module';
import { MembersModule } from './members/members.module';
import { NotificationsModule } from './notifications/notifications.module';
import { PagesModule } from './pages/pages.module';
import { CertificatesModule } from './certificates/certificates.module';
import { ClaimsModule } from './claims/claims.module';
import { VerificationModule } from './verification/verification.module';

/** The public QR lookups (`GET /api/verify/<no>`, `/v/<no>`, `/v/<no>/photo`), excluded from request logging. */
export const VERIFICATION_LOOKUP_ROUTES = [
  { path: 'api/verify/:certificateNo', method: RequestMethod.GET },
  { path: 'v/:certificateNo', method: RequestMethod.GET },
  { path: 'v/:certificateNo/photo', method: RequestMethod.GET },
];

@Module({})
export class AppModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        AppConfigModule.forRoot(config),
        LoggerModule.forRoot({
          pinoHttp: {
            level: config.logLevel,
            name: 'api',
            // Readable one-line logs in a developer's terminal; JSON lines everywhere else.
            transport:
              config.nodeEnv === 'development' ? { target: 'pino-pretty', options: { singleLine: true } } : undefined,
            // Never log credentials or session cookies.
            redact: ['req.headers.authorization', 'req.headers.cookie', 'res.headers["set-cookie"]'],
            autoLogging: { ignore: (req) => req.url === '/health' },
            // The QR token in /v/<no>?t=… is what grants a view of the member's data: keep it out of logs.
            serializers: {
              req: (req: { id: unknown; method: string; url: string }) => ({
                id: req.id,
                method: req.method,
                url: req.url.replace(/([?&]t=)[^&]*/g, '$1[redacted]'),
              }),
            },
          },
          // Explicit: nestjs-pino's default route pattern ('{/*splat}') matches no request under this Nest and
          // Fastify version, so no request was logged at all (found profiling bench/verify).
          forRoutes: [{ path: '{*path}', method: RequestMethod.ALL }],
          // Public QR lookups are not access-logged: they are anonymous, by far the most frequent request and carry
          // nothing to act on, and pino-http's per-request work (child logger, listeners, one JSON line written
          // synchronously) was a measurable share of a lookup's CPU (bench/verify, docs/decisions.md). Their server
          // errors are still logged with the stack by AllExceptionsFilter; staff full views are in the audit log.
          exclude: VERIFICATION_LOOKUP_ROUTES,
        }),
        PersistenceModule,
        TemporalClientModule,
        AuthModule,
        HealthModule,
        MembersModule,
        ApplicationsModule,
        TasksModule,
        PagesModule,
        CertificatesModule,
        VerificationModule,
        ClaimsModule,
        CampaignsModule,
        InspectionsModule,
        NotificationsModule,
      ],
      providers: [{ provide: APP_FILTER, useClass: AllExceptionsFilter }],
    };
  }
}
