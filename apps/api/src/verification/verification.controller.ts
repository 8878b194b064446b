import { Controller, Get, HttpCode, HttpStatus, Param, Post, Query, Req, Res } from '@nestjs/common';
import { ApiBody, ApiConsumes, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
// Bring req.file() and reply.view() into the Fastify types.
import type {} from '@fastify/multipart';
import type {} from '@fastify/view';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Inject } from '@nestjs/common';
import { AppException, Errors } from '../common/app-exception';
import { Public } from '../common/decorators';
import type { Principal } from '../common/principal';
import { VERIFICATION_KEYS, type VerificationKeys } from './verification.keys';
import { VerificationService, type VerificationResult } from './verification.service';

type Request = FastifyRequest & { principal?: Principal };

const PDF_MAGIC = Buffer.from('%PDF-');

/** Reads the uploaded PDF (multipart field `file`); a 4xx with a Chinese message for anything else. */
async function uploadedPdf(req: FastifyRequest): Promise<Buffer> {
  if (!req.isMultipart()) {
    throw new AppException('NO_FILE', '请选择要核验的电子证书 PDF 文件后再提交。', HttpStatus.BAD_REQUEST);
  }
  let data: Buffer | undefined;
  try {
    const file = await req.file();
    data = await file?.toBuffer();
  } catch (error) {
    if ((error as { code?: string }).code === 'FST_REQ_FILE_TOO_LARGE') {
      throw new AppException('FILE_TOO_LARGE', '文件过大：电子证书 PDF 不超过 10 MB。', HttpStatus.PAYLOAD_TOO_LARGE);
    }
    throw error;
  }
  if (!data?.length)
    throw new AppException('NO_FILE', '请选择要核验的电子证书 PDF 文件后再提交。', HttpStatus.BAD_REQUEST);
  if (!data.subarray(0, PDF_MAGIC.length).equals(PDF_MAGIC)) {
    throw new AppException(
      'NOT_PDF',
      '上传的文件不是 PDF，请上传从本系统下载的电子证书 PDF 原件。',
      HttpStatus.UNSUPPORTED_MEDIA_TYPE,
    );
  }
  return data;
}

/** The public verification page (R2), its JSON twin, the seal check of an uploaded PDF (R9) and the public keys. */
@ApiTags('verify 证书验证')
@Controller()
export class VerificationController {
  constructor(
    private readonly verification: VerificationService,
    @Inject(VERIFICATION_KEYS) private readonly keys: VerificationKeys,
  ) {}

  @Public()
  @Get('api/verify/:certificateNo')
  @ApiOperation({
    summary: '扫码验证（与验证页面内容相同）：无有效令牌时不返回任何个人信息；工作人员查看完整信息记入审计日志',
  })
  lookup(@Param('certificateNo') certificateNo: string, @Query('t') token: string | undefined, @Req() req: Request) {
    return this.verification.lookup(certificateNo, token, req.principal);
  }

  @Public()
  @Get('v/:certificateNo')
  async page(
    @Param('certificateNo') certificateNo: string,
    @Query('t') token: string | undefined,
    @Req() req: Request,
    @Res() reply: FastifyReply,
  ) {
    const result = await this.verification.lookup(certificateNo, token, req.principal);
    return reply
      .header('cache-control', 'no-store')
      .view('verify/result.hbs', this.pageData(result, token, req.principal));
  }

  @Public()
  @Get('v/:certificateNo/photo')
  @ApiOperation({ summary: '证书照片（需有效令牌）' })
  @ApiProduces('image/jpeg')
  async photo(
    @Param('certificateNo') certificateNo: string,
    @Query('t') token: string | undefined,
    @Res() reply: FastifyReply,
  ) {
    const jpeg = await this.verification.photo(certificateNo, token);
    if (!jpeg) throw Errors.notFound('照片');
    return reply.header('content-type', 'image/jpeg').header('cache-control', 'private, max-age=300').send(jpeg);
  }

  @Public()
  @Get('verify/pdf')
  uploadPage(@Req() req: Request, @Res() reply: FastifyReply) {
    return reply.view('verify/check.hbs', { title: '电子证书签章核验', principal: req.principal });
  }

  @Public()
  @Post('verify/pdf')
  @HttpCode(200)
  async uploadCheckPage(@Req() req: Request, @Res() reply: FastifyReply) {
    try {
      const result = await this.verification.checkPdf(await uploadedPdf(req));
      return reply.view('verify/check.hbs', {
        title: '电子证书签章核验',
        principal: req.principal,
        result,
        ok: result.verdict === 'genuine' && result.status === 'active',
      });
    } catch (error) {
      if (!(error instanceof AppException)) throw error;
      const body = error.getResponse() as { message: string };
      return reply.code(error.getStatus()).view('verify/check.hbs', {
        title: '电子证书签章核验',
        principal: req.principal,
        error: body.message,
      });
    }
  }

  @Public()
  @Post('api/verify/pdf')
  @HttpCode(200)
  @ApiConsumes('multipart/form-data')
  @ApiBody({ schema: { type: 'object', properties: { file: { type: 'string', format: 'binary' } } } })
  @ApiOperation({
    summary: '上传电子证书 PDF 核验签章：签章是否有效、是否为中注协印章、是否与签发版本一致及该版本当前状态',
  })
  async checkPdf(@Req() req: Request) {
    return this.verification.checkPdf(await uploadedPdf(req));
  }

  @Public()
  @Get('.well-known/cicpa-qr-public-key.pem')
  @ApiOperation({ summary: '二维码令牌的 Ed25519 公钥（SPKI PEM）' })
  qrPublicKey(@Res() reply: FastifyReply) {
    return reply.header('content-type', 'application/x-pem-file; charset=utf-8').send(this.keys.qrPublicKeyPem);
  }

  @Public()
  @Get('.well-known/cicpa-seal-certificate.pem')
  @ApiOperation({ summary: '中注协电子印章证书（PEM），用于核验 PDF 签章' })
  sealCertificate(@Res() reply: FastifyReply) {
    return reply.header('content-type', 'application/x-pem-file; charset=utf-8').send(this.keys.sealCertificatePem);
  }

  private pageData(result: VerificationResult, token: string | undefined, principal?: Principal) {
    return {
      title: '电子证书验证',
      principal,
      result,
      isValid: result.status === 'valid',
      isInvalid: result.status === 'invalidToken',
      statusClass: result.status === 'valid' ? 'ok' : result.status === 'superseded' ? 'warn' : 'bad',
      photoUrl:
        result.member && result.certificateNo
          ? `/v/${result.certificateNo}/photo?t=${encodeURIComponent(token ?? '')}`
          : null,
      hasInspections: (result.member?.inspections.length ?? 0) > 0,
      hasTransfers: (result.member?.transfers.length ?? 0) > 0,
    };
  }
}
