import { Global, Inject, Module } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '@app/config';
import { FsBlobStore } from '../blob-store';

/** Injection token of the BlobStore port (photos, PDFs): a folder by default. */
export const BLOB_STORE = Symbol('BLOB_STORE');
export const InjectBlobStore = () => Inject(BLOB_STORE);

@Global()
@Module({
  providers: [
    { provide: BLOB_STORE, inject: [APP_CONFIG], useFactory: (c: AppConfig) => new FsBlobStore(c.storage.blobDir) },
  ],
  exports: [BLOB_STORE],
})
export class BlobStoreModule {}
