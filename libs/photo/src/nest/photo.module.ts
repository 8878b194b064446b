import { Module } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '@app/config';
import { HttpPhotoComparisonProvider } from '../http-provider';
import { HumanPhotoComparisonProvider } from '../human-provider';
import { PHOTO_COMPARISON_PROVIDER, type PhotoComparisonProvider } from '../photo-comparison';

/** The provider named by PHOTO_COMPARISON_PROVIDER, with the configured threshold and timeout. */
export function providePhotoComparison(config: AppConfig): PhotoComparisonProvider {
  const { provider, url, threshold, timeoutSeconds } = config.photo;
  if (provider === 'http') {
    // loadConfig refuses http without a URL; this guards hand-built configs in tests.
    if (!url) throw new Error('PHOTO_COMPARISON_URL is required when PHOTO_COMPARISON_PROVIDER=http');
    return new HttpPhotoComparisonProvider({ url, threshold, timeoutMs: timeoutSeconds * 1000 });
  }
  // The models load on first use, not here: the API process only validates uploads with a
  // provider when it asks for faces, and should not pay ~20 MB and the load time otherwise.
  return new HumanPhotoComparisonProvider({ threshold, timeoutMs: timeoutSeconds * 1000 });
}

/** Provides PHOTO_COMPARISON_PROVIDER from config (needs AppConfigModule, which is global). */
@Module({
  providers: [{ provide: PHOTO_COMPARISON_PROVIDER, inject: [APP_CONFIG], useFactory: providePhotoComparison }],
  exports: [PHOTO_COMPARISON_PROVIDER],
})
export class PhotoModule {}
