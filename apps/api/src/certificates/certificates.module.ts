import { Module } from '@nestjs/common';
import { BlobStoreModule } from '@app/persistence/nest/blob-store.module';
import { CertificatesController } from './certificates.controller';
import { CertificatesService } from './certificates.service';

@Module({
  imports: [BlobStoreModule],
  controllers: [CertificatesController],
  providers: [CertificatesService],
  exports: [CertificatesService],
})
export class CertificatesModule {}
