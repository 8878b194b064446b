/**
 * Where the exam system's photo of a member comes from (R7a). A port because the exam system is another
 * organisation's system: today its photos arrive by import into `exam_photos`; a live lookup would be another
 * adapter. (The comparison port, R7b, is `@app/photo`'s PHOTO_COMPARISON_PROVIDER.)
 */
import { Inject, Injectable, Module } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { ExamPhoto } from '@app/persistence';

export interface ExamPhotoSource {
  /** The photo (a blob key) and the exam year, or null when the exam system holds none. */
  find(memberId: string): Promise<{ blobKey: string; examYear: number } | null>;
}

export const EXAM_PHOTO_SOURCE = 'EXAM_PHOTO_SOURCE';
export const InjectExamPhotoSource = () => Inject(EXAM_PHOTO_SOURCE);

/** Default source: the exam_photos table the exam-system import (and the demo data generator) fills. */
@Injectable()
export class TableExamPhotoSource implements ExamPhotoSource {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async find(memberId: string) {
    const row = await this.dataSource.getRepository(ExamPhoto).findOneBy({ memberId });
    return row ? { blobKey: row.blobKey, examYear: row.examYear } : null;
  }
}

/** EXAM_PHOTO_SOURCE for the API (claims) and the worker (photo activities). */
@Module({
  providers: [{ provide: EXAM_PHOTO_SOURCE, useClass: TableExamPhotoSource }],
  exports: [EXAM_PHOTO_SOURCE],
})
export class ExamPhotoSourceModule {}
