import { Body, Controller, Get, HttpCode, Param, Post, Req, Res } from '@nestjs/common';
import { ApiBody, ApiConsumes, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { CurrentPrincipal, MemberOnly, StaffOnly } from '../common/decorators';
import { readMultipart } from '../common/multipart';
import { CertificateNoPipe } from '../common/pipes';
import type { MemberPrincipal, StaffPrincipal } from '../common/principal';
import { ClaimsService } from './claims.service';

function sendJpeg(reply: FastifyReply, data: Buffer) {
  return reply
    .header('content-type', 'image/jpeg')
    .header('cache-control', 'private, no-store')
    .header('x-content-type-options', 'nosniff')
    .send(data);
}

@ApiTags('claims 电子证书申领')
@Controller()
export class ClaimsController {
  constructor(private readonly claims: ClaimsService) {}

  @MemberOnly()
  @Get('api/member/claim')
  @ApiOperation({ summary: '会员：申领状态、可选照片方式（及不可选的原因）、当前进度和下一步' })
  status(@CurrentPrincipal() member: MemberPrincipal) {
    return this.claims.status(member);
  }

  @MemberOnly()
  @Post('api/member/claim')
  @HttpCode(202)
  @ApiConsumes('multipart/form-data')
  @ApiBody({
    description:
      '字段 route：examPhoto（考试照片，2010 年及以后全科合格）、comparison（上传照片比对，须附 photo：JPG）、onSite（现场核验）',
    schema: { type: 'object' },
  })
  @ApiOperation({ summary: '会员：选择照片方式，发起电子证书申领（每位会员同时只能有一项申领）' })
  async start(@CurrentPrincipal() member: MemberPrincipal, @Req() request: FastifyRequest) {
    const { fields, files } = await readMultipart(request);
    return this.claims.start(member, fields, files);
  }

  @MemberOnly()
  @Get('api/member/claim/exam-photo')
  @ApiOperation({ summary: '会员：查看考试系统中的本人照片（仅 2010 年及以后全科合格）' })
  async examPhoto(@CurrentPrincipal() member: MemberPrincipal, @Res() reply: FastifyReply) {
    return sendJpeg(reply, await this.claims.examPhoto(member));
  }

  @MemberOnly()
  @Post('api/member/claim/confirm')
  @HttpCode(200)
  @ApiBody({
    schema: {
      type: 'object',
      properties: { mobile: { type: 'string' }, email: { type: 'string' }, address: { type: 'string' } },
    },
  })
  @ApiOperation({ summary: '会员：确认或补充个人信息（手机、邮箱、地址），确认后生成电子证书（R8）' })
  confirm(@CurrentPrincipal() member: MemberPrincipal, @Body() body: Record<string, unknown>) {
    return this.claims.confirm(member, body ?? {});
  }

  @MemberOnly()
  @Post('api/member/claim/cancel')
  @HttpCode(200)
  @ApiOperation({ summary: '会员：撤销正在办理的申领（证书开始生成前）' })
  cancel(@CurrentPrincipal() member: MemberPrincipal) {
    return this.claims.cancel(member);
  }

  @StaffOnly('provincialReviewer', 'provincialAdmin')
  @Get('api/claims/on-site/:taskId')
  @ApiOperation({ summary: '地方注协：现场核验任务详情（仅本省）' })
  onSite(@CurrentPrincipal() staff: StaffPrincipal, @Param('taskId') taskId: string) {
    return this.claims.onSiteDetail(staff, taskId);
  }

  @StaffOnly('provincialReviewer', 'provincialAdmin')
  @Get('api/claims/on-site/:taskId/member-photo')
  @ApiOperation({ summary: '地方注协：会员上传的照片（比对未通过或比对未开通时）' })
  async memberPhoto(
    @CurrentPrincipal() staff: StaffPrincipal,
    @Param('taskId') taskId: string,
    @Res() reply: FastifyReply,
  ) {
    return sendJpeg(reply, await this.claims.candidatePhoto(staff, taskId));
  }

  @StaffOnly('provincialReviewer', 'provincialAdmin')
  @Post('api/claims/on-site/:taskId/decision')
  @HttpCode(200)
  @ApiConsumes('multipart/form-data')
  @ApiBody({
    description:
      'outcome：approve（核验通过）或 reject（不通过，须填 reason）；通过时上传 photo（现场核验后的证件照，JPG），或 useMemberPhoto=true 采用会员上传的照片',
    schema: { type: 'object' },
  })
  @ApiOperation({ summary: '地方注协：登记现场核验结果并上传核验照片（R7c、R10；记入审计日志）' })
  async decide(
    @CurrentPrincipal() staff: StaffPrincipal,
    @Param('taskId') taskId: string,
    @Req() request: FastifyRequest,
  ) {
    const { fields, files } = await readMultipart(request);
    return this.claims.decideOnSite(staff, taskId, fields, files);
  }

  @StaffOnly()
  @Get('api/members/:certificateNo/timeline')
  @ApiOperation({ summary: '会员办理记录：申领、照片方式、核验结果、证书版本（地方注协仅限本省）' })
  timeline(
    @CurrentPrincipal() staff: StaffPrincipal,
    @Param('certificateNo', CertificateNoPipe) certificateNo: string,
  ) {
    return this.claims.timeline(staff, certificateNo);
  }
}
