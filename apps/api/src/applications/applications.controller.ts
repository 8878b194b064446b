import { Body, Controller, Get, HttpCode, Param, Post, Req, Res } from '@nestjs/common';
import { ApiBody, ApiConsumes, ApiOperation, ApiTags } from '@nestjs/swagger';
import { sendPrivateFile } from '../common/send-file';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { CurrentPrincipal, Public, StaffOnly } from '../common/decorators';
import { readMultipart } from '../common/multipart';
import type { StaffPrincipal } from '../common/principal';
import { ApplicationsService } from './applications.service';
import { ApplicantLookupDto } from './dto/application.dto';

const MULTIPART_BODY = {
  description:
    '表单字段见 SubmitApplicationDto；附件字段：idCard（身份证，必填）、examCertificate（全科合格证，考试入会必填）、education、other；每个附件为 JPG 或 PDF，不超过 5 MB',
  schema: { type: 'object' as const },
};

@ApiTags('applications 入会申请')
@Controller('api/applications')
export class ApplicationsController {
  constructor(private readonly applications: ApplicationsService) {}

  @Public()
  @Post()
  @ApiConsumes('multipart/form-data')
  @ApiBody(MULTIPART_BODY)
  @ApiOperation({ summary: '提交非执业会员入会申请（R3），返回申请编号' })
  async submit(@Req() request: FastifyRequest) {
    const { fields, files } = await readMultipart(request);
    return this.applications.submit(fields, files);
  }

  @Public()
  @Post('progress')
  @HttpCode(200)
  @ApiOperation({ summary: '非执业申请进度查询（R5）：申请编号 + 身份证号' })
  progress(@Body() lookup: ApplicantLookupDto) {
    return this.applications.progress(lookup);
  }

  @Public()
  @Post(':applicationNo/resubmit')
  @HttpCode(200)
  @ApiConsumes('multipart/form-data')
  @ApiBody(MULTIPART_BODY)
  @ApiOperation({ summary: '退回修改的申请修改后重新提交（须附身份证号核对身份）' })
  async resubmit(@Param('applicationNo') applicationNo: string, @Req() request: FastifyRequest) {
    const { fields, files } = await readMultipart(request);
    return this.applications.resubmit(applicationNo, fields, files);
  }

  @StaffOnly()
  @Get(':applicationNo')
  @ApiOperation({ summary: '申请详情（地方注协仅限本省；查看记入审计日志）' })
  detail(@CurrentPrincipal() staff: StaffPrincipal, @Param('applicationNo') applicationNo: string) {
    return this.applications.detailForStaff(staff, applicationNo);
  }

  @StaffOnly()
  @Get(':applicationNo/attachments/:attachmentId')
  @ApiOperation({ summary: '下载申请附件' })
  async attachment(
    @CurrentPrincipal() staff: StaffPrincipal,
    @Param('applicationNo') applicationNo: string,
    @Param('attachmentId') attachmentId: string,
    @Res() reply: FastifyReply,
  ) {
    const file = await this.applications.attachmentForStaff(staff, applicationNo, attachmentId);
    return sendPrivateFile(reply, file);
  }
}
