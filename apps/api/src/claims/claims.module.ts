import { Module } from '@nestjs/common';
import { PhotoPortsModule } from '@app/activities/photos/photo-ports.module';
import { BlobStoreModule } from '@app/persistence/nest/blob-store.module';
import { TasksModule } from '../tasks/tasks.module';
import { ClaimsController } from './claims.controller';
import { ClaimsService } from './claims.service';

@Module({
  imports: [BlobStoreModule, PhotoPortsModule, TasksModule],
  controllers: [ClaimsController],
  providers: [ClaimsService],
  exports: [ClaimsService],
})
export class ClaimsModule {}
