import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { ApplicationFailure, Context } from '@temporalio/activity';
import { DataSource } from 'typeorm';
import { APP_CONFIG, type AppConfig } from '@app/config';
import {
  CertificateRenderer,
  describeCharacter,
  FontCoverage,
  PdfSealer,
  QrTokenService,
  sha256,
  type CertificateView,
} from '@app/pdf';
import { rowsOf, type BlobStore } from '@app/persistence';
import { InjectBlobStore } from '@app/persistence/nest/blob-store.module';
import { ISSUANCE_FAILURES } from '../../workflows/certificate-issuance/certificate-issuance.messages';

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

/** Chinese names of the fields checked for printable characters, for the refusal message. */
const FIELD_LABELS: Record<string, string> = {
  name: '姓名',
  approvalDocNo: '入会批准文件号',
  instituteName: '地方注协名称',
};

/**
 * Activities of the `render` task queue: Handlebars → Chromium → PAdES seal → blob store.
 *
 * One version, one file: a sealed PDF is not reproducible byte for byte (the ECDSA signature is randomised), so
 * content addressing alone would store a second, different file when a render is retried. The blob key is therefore
 * recorded on the version row (`pdf_blob_key`, set only while it is empty), and a retry, or a second worker
 * picking up the task after a crash, finds it there and returns it without rendering again. The PDF travels by
 * key, never as a workflow payload.
 */
@Injectable()
export class RenderActivities {
  constructor(
    private readonly renderer: CertificateRenderer,
    private readonly sealer: PdfSealer,
    private readonly qrTokens: QrTokenService,
    private readonly fonts: FontCoverage,
    @InjectBlobStore() private readonly blobs: BlobStore,
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /**
   * Refuses (non-retryable) text with a character that no installed font of this render host can draw: it would
   * print as a blank box. Runs on the render queue because the fonts that matter are the render workers'.
   */
  async checkPrintable(fields: Record<string, string>): Promise<void> {
    for (const [field, text] of Object.entries(fields)) {
      const missing = await this.fonts.unprintable(text);
      if (missing.length) {
        throw ApplicationFailure.nonRetryable(
          `${FIELD_LABELS[field] ?? field}中的${missing.map(describeCharacter).join('、')}在证书字库中没有字形，` +
            `打印出来会是空白方框，因此不予签发。请核对用字（如为异体字请改用规范字），或联系中注协补充字库后重新签发。`,
          ISSUANCE_FAILURES.unprintable,
        );
      }
    }
  }

  async renderCertificate(input: RenderCertificateInput): Promise<RenderedCertificate> {
    const { view } = input;
    const recorded = await this.recordedPdf(view.certificateNo, view.version);
    if (recorded) return recorded;

    const context = Context.current();
    context.heartbeat('render');
    const photoJpeg = await this.blobs.get(input.photoBlobKey);
    const verifyUrl = this.qrTokens.verifyUrl(this.config.api.publicBaseUrl, view.certificateNo, view.version);
    // The renderer may hold this certificate until a page is free and print it with others (a campaign's queue):
    // keep telling Temporal this worker is alive meanwhile, well inside the 10 s heartbeat timeout.
    const alive = setInterval(() => context.heartbeat('render'), 2_000);
    let pdf: Buffer;
    try {
      pdf = await this.renderer.render({ ...view, photoJpeg, verifyUrl });
    } finally {
      clearInterval(alive);
    }
    context.heartbeat('seal');
    const sealed = await this.sealer.seal(pdf, {
      reason: '电子非执业会员证签发',
      location: input.location,
      name: '中国注册会计师协会',
    });
    const digest = sha256(sealed);
    const pdfBlobKey = await this.blobs.put(sealed, 'application/pdf');
    // Claim the version for this file unless another attempt got there first; then that attempt's file is the one.
    const claimed: unknown = await this.dataSource.query(
      `UPDATE certificates SET pdf_blob_key = $3, pdf_sha256 = $4
       WHERE certificate_no = $1 AND version = $2 AND pdf_blob_key IS NULL RETURNING id`,
      [view.certificateNo, view.version, pdfBlobKey, digest],
    );
    if (rowsOf(claimed).length === 0) {
      const winner = await this.recordedPdf(view.certificateNo, view.version);
      if (winner) return winner;
      throw new Error(`certificate ${view.certificateNo} v${view.version} has no version row`);
    }
    return { pdfBlobKey, sha256: digest, bytes: sealed.length };
  }

  private async recordedPdf(certificateNo: string, version: number): Promise<RenderedCertificate | null> {
    const rows: { pdf_blob_key: string | null; pdf_sha256: string | null }[] = await this.dataSource.query(
      `SELECT pdf_blob_key, pdf_sha256 FROM certificates WHERE certificate_no = $1 AND version = $2`,
      [certificateNo, version],
    );
    const row = rows[0];
    if (!row?.pdf_blob_key || !row.pdf_sha256 || !(await this.blobs.has(row.pdf_blob_key))) return null;
    const bytes = (await this.blobs.get(row.pdf_blob_key)).length;
    return { pdfBlobKey: row.pdf_blob_key, sha256: row.pdf_sha256, bytes };
  }
}
