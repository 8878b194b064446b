import { Global, Module } from '@nestjs/common';
import {
  EXAM_PHOTO_SOURCE,
  PHOTO_COMPARISON_PROVIDER,
  TableExamPhotoSource,
  UnavailableComparisonProvider,
} from './photo-ports';

/** Default adapters of the photo ports, for the API and the worker; tests override PHOTO_COMPARISON_PROVIDER. */
@Global()
@Module({
  providers: [
    { provide: EXAM_PHOTO_SOURCE, useClass: TableExamPhotoSource },
    { provide: PHOTO_COMPARISON_PROVIDER, useValue: new UnavailableComparisonProvider() },
  ],
  exports: [EXAM_PHOTO_SOURCE, PHOTO_COMPARISON_PROVIDER],
})
export class PhotoPortsModule {}
