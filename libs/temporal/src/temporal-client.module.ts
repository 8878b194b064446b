import { Global, Inject, Injectable, Module, OnApplicationShutdown } from '@nestjs/common';
import { Client, Connection } from '@temporalio/client';
import { readFileSync } from 'node:fs';
import { APP_CONFIG, type AppConfig } from '@app/config';

/** Connection options for the configured cluster (dev server locally, TLS for a real cluster). */
export function connectionOptions(config: AppConfig) {
  const tls = config.temporal.tls;
  return {
    address: config.temporal.address,
    tls: tls
      ? {
          clientCertPair: { crt: readFileSync(tls.certPath), key: readFileSync(tls.keyPath) },
          serverRootCACertificate: tls.caPath ? readFileSync(tls.caPath) : undefined,
        }
      : undefined,
  };
}

/** Holds the one client connection of the API process; closed on shutdown. */
@Injectable()
export class TemporalClientHolder implements OnApplicationShutdown {
  constructor(
    readonly client: Client,
    private readonly connection: Connection,
  ) {}

  async onApplicationShutdown(): Promise<void> {
    await this.connection.close();
  }
}

@Global()
@Module({
  providers: [
    {
      provide: TemporalClientHolder,
      inject: [APP_CONFIG],
      useFactory: async (config: AppConfig) => {
        // lazy: the API starts (and /health reports) even while Temporal is still coming up.
        const connection = Connection.lazy(connectionOptions(config));
        const client = new Client({ connection, namespace: config.temporal.namespace });
        return new TemporalClientHolder(client, connection);
      },
    },
    { provide: Client, inject: [TemporalClientHolder], useFactory: (h: TemporalClientHolder) => h.client },
  ],
  exports: [Client, TemporalClientHolder],
})
export class TemporalClientModule {}

export const InjectTemporalClient = () => Inject(Client);
