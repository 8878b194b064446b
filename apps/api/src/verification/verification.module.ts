import { Module } from '@nestjs/common';
import { BlobStoreModule } from '@app/persistence/nest/blob-store.module';
import { VerificationController } from './verification.controller';
import { verificationKeysProvider } from './verification.keys';
import { VerificationService } from './verification.service';

@Module({
  imports: [BlobStoreModule],
  controllers: [VerificationController],
  providers: [verificationKeysProvider, VerificationService],
  exports: [VerificationService],
})
export class VerificationModule {}
