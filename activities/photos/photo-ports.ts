/**
 * Ports the photo routes depend on (R7). The comparison port mirrors `@app/photo` (libs/photo, built in parallel):
 * `compare(reference, candidate, { signal })`, throwing PhotoComparisonUnavailableError when the provider cannot
 * answer. Until that library is wired in, the default provider is "unavailable", which sends every comparison to
 * on-site verification — the safe side of R7c.
 */
import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { ExamPhoto } from '@app/persistence';

export interface PhotoComparisonResult {
  readonly outcome: 'match' | 'noMatch' | 'noFace' | 'multipleFaces';
  readonly score: number;
  readonly threshold: number;
  readonly provider: string;
}

export interface PhotoComparisonProvider {
  compare(reference: Buffer, candidate: Buffer, options: { signal?: AbortSignal }): Promise<PhotoComparisonResult>;
}

export class PhotoComparisonUnavailableError extends Error {
  constructor(message = 'photo comparison unavailable') {
    super(message);
    this.name = 'PhotoComparisonUnavailableError';
  }
}

export const PHOTO_COMPARISON_PROVIDER = 'PHOTO_COMPARISON_PROVIDER';
export const InjectPhotoComparison = () => Inject(PHOTO_COMPARISON_PROVIDER);

/** The provider while none is configured: always unavailable, so uploads fall back to on-site review. */
export class UnavailableComparisonProvider implements PhotoComparisonProvider {
  compare(): Promise<PhotoComparisonResult> {
    return Promise.reject(new PhotoComparisonUnavailableError('no photo comparison provider configured'));
  }
}

/** Where the exam system's photo of a member comes from (R7a). */
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

/** Settings of the photo routes, from `config.photo` once libs/photo's config lands (defaults until then). */
export interface PhotoRouteSettings {
  readonly comparisonAvailable: boolean;
  readonly timeoutSeconds: number;
  readonly maxBytes: number;
}

export function photoRouteSettings(config: object): PhotoRouteSettings {
  const photo = (config as { photo?: Partial<PhotoRouteSettings> }).photo;
  return {
    comparisonAvailable: photo?.comparisonAvailable ?? false,
    timeoutSeconds: photo?.timeoutSeconds ?? 15,
    maxBytes: photo?.maxBytes ?? 2 * 1024 * 1024,
  };
}
