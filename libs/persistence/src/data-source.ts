import 'reflect-metadata';
import { DataSource } from 'typeorm';
import type { PostgresConnectionOptions } from 'typeorm/driver/postgres/PostgresConnectionOptions';
import { ENTITIES } from './entities';
import { InitialSchema1764180000000 } from './migrations/1764180000000-InitialSchema';
import { InspectionCampaign1764900000000 } from './migrations/1764900000000-InspectionCampaign';
import { PendingCertificatesIndex1765000000000 } from './migrations/1765000000000-PendingCertificatesIndex';
import { OutboxDelivery1765100000000 } from './migrations/1765100000000-OutboxDelivery';

/** Every migration, oldest first. Classes, not globs, so they load the same from src (Jest) and dist. */
export const MIGRATIONS = [
  InitialSchema1764180000000,
  InspectionCampaign1764900000000,
  PendingCertificatesIndex1765000000000,
  OutboxDelivery1765100000000,
];

export const MIGRATIONS_TABLE = 'typeorm_migrations';

/**
 * Options for every process that talks to PostgreSQL (api, worker, CLI, tests). The schema
 * only ever changes through migrations, never `synchronize`.
 */
export function dataSourceOptions(
  url: string,
  overrides: Partial<Omit<PostgresConnectionOptions, 'type'>> = {},
): PostgresConnectionOptions {
  return {
    type: 'postgres',
    url,
    entities: ENTITIES,
    migrations: MIGRATIONS,
    migrationsTableName: MIGRATIONS_TABLE,
    migrationsRun: false,
    synchronize: false,
    // gen_random_uuid() is built into PostgreSQL ≥ 13: no extension to install (managed
    // databases often forbid CREATE EXTENSION).
    uuidExtension: 'pgcrypto',
    installExtensions: false,
    applicationName: 'cicpa-ecert',
    ...overrides,
  };
}

/** For the TypeORM CLI (`typeorm -d dist/libs/persistence/src/data-source.js …`). */
export default new DataSource(dataSourceOptions(process.env.DATABASE_URL ?? ''));
