import { Body, Controller, Get, HttpCode, Param, ParseIntPipe, Post, Query, Res } from '@nestjs/common';
import { ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { Errors } from '../common/app-exception';
import { CurrentPrincipal, StaffOnly } from '../common/decorators';
import type { StaffPrincipal } from '../common/principal';
import { sendPrivateFile } from '../common/send-file';
import { CampaignFollowUpService } from './campaign-follow-up.service';
import { CampaignsService } from './campaigns.service';
import { FollowUpFilter, FollowUpQuery } from './follow-up.dto';
import { CampaignControlDto, LaunchCampaignDto, ScheduleDto } from './launch-campaign.dto';

/** The campaign year in a path: a whole number, or a 400 naming the field in Chinese. */
const YEAR_PIPE = new ParseIntPipe({
  exceptionFactory: () => Errors.validation([{ field: 'year', messages: ['年度应为整数'] }]),
});

@ApiTags('campaigns 年检换发')
@Controller('api/campaigns')
export class CampaignsController {
  constructor(
    private readonly campaigns: CampaignsService,
    private readonly followUps: CampaignFollowUpService,
  ) {}

  @StaffOnly('nationalAdmin')
  @Post()
  @HttpCode(202)
  @ApiOperation({ summary: '发起年度年检换发（仅中注协管理员；每年一次，启动 campaign-<年度> 流程）' })
  launch(@CurrentPrincipal() staff: StaffPrincipal, @Body() body: LaunchCampaignDto) {
    return this.campaigns.launch(staff, body);
  }

  @StaffOnly()
  @Get(':year')
  @ApiOperation({ summary: '年检换发进度（各地方注协；地方注协仅见本省）' })
  progress(@CurrentPrincipal() staff: StaffPrincipal, @Param('year', YEAR_PIPE) year: number) {
    return this.campaigns.progress(staff, year);
  }

  @StaffOnly()
  @Get(':year/follow-up')
  @ApiOperation({
    summary:
      '待跟进名单（R12）：年检未通过或未年检、未换发的会员，手机部分隐藏；地方注协仅见本省（按会员现所属地方注协）',
  })
  followUp(
    @CurrentPrincipal() staff: StaffPrincipal,
    @Param('year', YEAR_PIPE) year: number,
    @Query() query: FollowUpQuery,
  ) {
    return this.followUps.list(staff, year, query);
  }

  @StaffOnly()
  @Get(':year/follow-up.csv')
  @ApiProduces('text/csv')
  @ApiOperation({ summary: '下载待跟进名单 CSV（UTF-8 带 BOM，可直接用 Excel 打开）；每次下载记入审计日志' })
  async followUpCsv(
    @CurrentPrincipal() staff: StaffPrincipal,
    @Param('year', YEAR_PIPE) year: number,
    @Query() filter: FollowUpFilter,
    @Res() reply: FastifyReply,
  ) {
    const file = await this.followUps.csv(staff, year, filter);
    // A download (a file for Excel), with the Chinese file name for browsers and an ASCII one for the rest.
    return sendPrivateFile(
      reply,
      { contentType: 'text/csv; charset=utf-8', data: file.data, name: file.filename, asciiName: file.asciiFilename },
      'attachment',
    );
  }

  @StaffOnly('nationalAdmin')
  @Post(':year/pause')
  @HttpCode(200)
  @ApiOperation({ summary: '暂停年检换发（整体，或 provinceCode 指定的地方注协；仅中注协管理员）' })
  pause(
    @CurrentPrincipal() staff: StaffPrincipal,
    @Param('year', new ParseIntPipe()) year: number,
    @Body() body: CampaignControlDto,
  ) {
    return this.campaigns.control(staff, year, 'pause', body.provinceCode);
  }

  @StaffOnly('nationalAdmin')
  @Post(':year/resume')
  @HttpCode(200)
  @ApiOperation({ summary: '继续年检换发（整体，或 provinceCode 指定的地方注协；仅中注协管理员）' })
  resume(
    @CurrentPrincipal() staff: StaffPrincipal,
    @Param('year', new ParseIntPipe()) year: number,
    @Body() body: CampaignControlDto,
  ) {
    return this.campaigns.control(staff, year, 'resume', body.provinceCode);
  }

  @StaffOnly('nationalAdmin')
  @Post(':year/cancel')
  @HttpCode(200)
  @ApiOperation({ summary: '取消年检换发（整体，或 provinceCode 指定的地方注协；仅中注协管理员）' })
  cancel(
    @CurrentPrincipal() staff: StaffPrincipal,
    @Param('year', new ParseIntPipe()) year: number,
    @Body() body: CampaignControlDto,
  ) {
    return this.campaigns.control(staff, year, 'cancel', body.provinceCode);
  }

  @StaffOnly('provincialAdmin', 'nationalAdmin')
  @Post(':year/provinces/:provinceCode/schedule')
  @HttpCode(200)
  @ApiOperation({ summary: '设置本省换发开始时间（地方注协管理员仅限本省）' })
  schedule(
    @CurrentPrincipal() staff: StaffPrincipal,
    @Param('year', new ParseIntPipe()) year: number,
    @Param('provinceCode') provinceCode: string,
    @Body() body: ScheduleDto,
  ) {
    return this.campaigns.schedule(staff, year, provinceCode, body.startsAt ?? null);
  }
}
