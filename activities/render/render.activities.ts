import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '@app/config';
import { CertificateRenderer, PdfSealer, QrTokenService, sha256, type CertificateView } from '@app/pdf';
import type { BlobStore } from '@app/persistence';
import { InjectBlobStore } from '@app/persistence/nest/blob-store.module';

/** What a workflow passes to render one certificate version: data and blob keys, never bytes. */
export interface RenderCertificateInput {
  readonly view: Omit<CertificateView, 'photoJpeg' | 'verifyUrl'>;
  readonly photoBlobKey: string;
  /** Shown in the signature properties (Adobe Reader), e.g. 北京. */
  readonly location: string;
}

export interface RenderedCertificate {
  readonly pdfBlobKey: string;
  readonly sha256: string;
  readonly bytes: number;
}

/**
 * Activities of the `render` task queue: Handlebars → Chromium → PAdES seal → blob store.
 * Content-addressed storage makes a retry after a crash store nothing twice; the PDF travels
 * by key, never as a workflow payload.
 */
@Injectable()
export class RenderActivities {
  constructor(
    private readonly renderer: CertificateRenderer,
    private readonly sealer: PdfSealer,
    private readonly qrTokens: QrTokenService,
    @InjectBlobStore() private readonly blobs: BlobStore,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async renderCertificate(input: RenderCertificateInput): Promise<RenderedCertificate> {
    const { view } = input;
    const photoJpeg = await this.blobs.get(input.photoBlobKey);
    const verifyUrl = this.qrTokens.verifyUrl(this.config.api.publicBaseUrl, view.certificateNo, view.version);
    const pdf = await this.renderer.render({ ...view, photoJpeg, verifyUrl });
    const sealed = await this.sealer.seal(pdf, {
      reason: '电子非执业会员证签发',
      location: input.location,
      name: '中国注册会计师协会',
    });
    const pdfBlobKey = await this.blobs.put(sealed, 'application/pdf');
    return { pdfBlobKey, sha256: sha256(sealed), bytes: sealed.length };
  }
}
