import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { APP_CONFIG, type AppConfig } from '@app/config';
import { dataSourceOptions } from '../data-source';

/** TypeORM on the configured PostgreSQL; the schema comes from migrations only. */
@Module({
  imports: [
    TypeOrmModule.forRootAsync({
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) => ({
        ...dataSourceOptions(config.database.url),
        extra: { max: config.database.poolSize },
        synchronize: false,
        migrationsRun: false,
      }),
    }),
  ],
})
export class PersistenceModule {}
