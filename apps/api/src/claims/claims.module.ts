import { Module } from '@nestjs/common';
import { PhotoModule } from '@app/photo';
import { ExamPhotoSourceModule } from '@app/activities/photos/exam-photo-source';
import { BlobStoreModule } from '@app/persistence/nest/blob-store.module';
import { TasksModule } from '../tasks/tasks.module';
import { ClaimsController } from './claims.controller';
import { ClaimsService } from './claims.service';

@Module({
  // PhotoModule: the API counts faces on uploads (validateMemberPhoto); comparing is the worker's job.
  imports: [BlobStoreModule, ExamPhotoSourceModule, PhotoModule, TasksModule],
  controllers: [ClaimsController],
  providers: [ClaimsService],
  exports: [ClaimsService],
})
export class ClaimsModule {}
