import { Body, Controller, Get, HttpCode, Param, ParseIntPipe, Post, Query, Res } from '@nestjs/common';
import { ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { CurrentPrincipal, MemberOnly, StaffOnly } from '../common/decorators';
import { Errors } from '../common/app-exception';
import { CertificateNoPipe } from '../common/pipes';
import { sendPrivateFile } from '../common/send-file';
import type { MemberPrincipal, StaffPrincipal } from '../common/principal';
import { CertificatesService, type PdfFile } from './certificates.service';
import { DownloadZipDto, IssueCertificateDto, RevokeCertificateDto } from './dto/certificate.dto';

const versionPipe = new ParseIntPipe({
  exceptionFactory: () => Errors.validation([{ field: 'version', messages: ['版本号应为正整数'] }]),
});
const optionalVersionPipe = new ParseIntPipe({
  optional: true,
  exceptionFactory: () => Errors.validation([{ field: 'version', messages: ['版本号应为正整数'] }]),
});

/** A certificate or zip download; its file names are ASCII already. */
function sendFile(reply: FastifyReply, file: PdfFile, contentType: string) {
  const name = file.filename;
  return sendPrivateFile(reply, { contentType, data: file.data, name, asciiName: name }, 'attachment');
}

@ApiTags('certificates 电子证书')
@Controller()
export class CertificatesController {
  constructor(private readonly certificates: CertificatesService) {}

  @StaffOnly()
  @Post('api/certificates/:certificateNo/issue')
  @HttpCode(202)
  @ApiOperation({ summary: '签发新版本（启动 certificate-<编号>-v<版本> 流程；地方注协仅限本省）' })
  issue(
    @CurrentPrincipal() staff: StaffPrincipal,
    @Param('certificateNo', CertificateNoPipe) certificateNo: string,
    @Body() body: IssueCertificateDto,
  ) {
    return this.certificates.issue(staff, certificateNo, body.reason);
  }

  @StaffOnly()
  @Get('api/certificates/:certificateNo/versions')
  @ApiOperation({ summary: '证书的全部版本及状态' })
  versions(
    @CurrentPrincipal() staff: StaffPrincipal,
    @Param('certificateNo', CertificateNoPipe) certificateNo: string,
  ) {
    return this.certificates.versions(staff, certificateNo);
  }

  @StaffOnly()
  @Get('api/certificates/:certificateNo/versions/:version/progress')
  @ApiOperation({ summary: '签发流程进度（查询工作流）' })
  progress(
    @CurrentPrincipal() staff: StaffPrincipal,
    @Param('certificateNo', CertificateNoPipe) certificateNo: string,
    @Param('version', versionPipe) version: number,
  ) {
    return this.certificates.progress(staff, certificateNo, version);
  }

  @StaffOnly('nationalReviewer', 'nationalAdmin')
  @Post('api/certificates/:certificateNo/versions/:version/revoke')
  @HttpCode(200)
  @ApiOperation({ summary: '吊销证书版本（仅中注协工作人员；记入审计日志，验证页面立即显示）' })
  revoke(
    @CurrentPrincipal() staff: StaffPrincipal,
    @Param('certificateNo', CertificateNoPipe) certificateNo: string,
    @Param('version', versionPipe) version: number,
    @Body() body: RevokeCertificateDto,
  ) {
    return this.certificates.revoke(staff, certificateNo, version, body.reason);
  }

  @StaffOnly()
  @Get('api/certificates/:certificateNo/pdf')
  @ApiProduces('application/pdf')
  @ApiOperation({ summary: '下载会员电子证书 PDF（默认当前有效版本；地方注协仅限本省；记入审计日志）' })
  async staffDownload(
    @CurrentPrincipal() staff: StaffPrincipal,
    @Param('certificateNo', CertificateNoPipe) certificateNo: string,
    @Query('version', optionalVersionPipe) version: number | undefined,
    @Res() reply: FastifyReply,
  ) {
    return sendFile(reply, await this.certificates.download(staff, certificateNo, version), 'application/pdf');
  }

  @StaffOnly()
  @Post('api/certificates/zip')
  @HttpCode(200)
  @ApiProduces('application/zip')
  @ApiOperation({ summary: '批量下载会员当前有效的电子证书（zip；每个证书记入审计日志）' })
  async zip(@CurrentPrincipal() staff: StaffPrincipal, @Body() body: DownloadZipDto, @Res() reply: FastifyReply) {
    return sendFile(reply, await this.certificates.downloadZip(staff, body.certificateNos), 'application/zip');
  }

  @MemberOnly()
  @Get('api/member/certificate')
  @ApiProduces('application/pdf')
  @ApiOperation({ summary: '会员下载本人当前有效的电子证书（记入审计日志）' })
  async memberDownload(@CurrentPrincipal() member: MemberPrincipal, @Res() reply: FastifyReply) {
    return sendFile(reply, await this.certificates.download(member, member.certificateNo), 'application/pdf');
  }

  /** The same download as a page link of the member portal (cookie session; errors as pages). */
  @MemberOnly()
  @Get('member/certificate.pdf')
  async memberDownloadPage(@CurrentPrincipal() member: MemberPrincipal, @Res() reply: FastifyReply) {
    return sendFile(reply, await this.certificates.download(member, member.certificateNo), 'application/pdf');
  }
}
