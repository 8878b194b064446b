import { Module } from '@nestjs/common';
import { BlobStoreModule } from '@app/persistence/nest/blob-store.module';
import { ApplicationsController } from './applications.controller';
import { ApplicationsService } from './applications.service';

@Module({
  imports: [BlobStoreModule],
  controllers: [ApplicationsController],
  providers: [ApplicationsService],
  exports: [ApplicationsService],
})
export class ApplicationsModule {}
