import { Body, Controller, Get, HttpCode, Param, ParseIntPipe, Post } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { Errors } from '../common/app-exception';
import { CurrentPrincipal, StaffOnly } from '../common/decorators';
import type { StaffPrincipal } from '../common/principal';
import { CampaignsService } from './campaigns.service';
import { CampaignControlDto, LaunchCampaignDto, ScheduleDto } from './launch-campaign.dto';

@ApiTags('campaigns 年检换发')
@Controller('api/campaigns')
export class CampaignsController {
  constructor(private readonly campaigns: CampaignsService) {}

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
  progress(
    @CurrentPrincipal() staff: StaffPrincipal,
    @Param(
      'year',
      new ParseIntPipe({ exceptionFactory: () => Errors.validation([{ field: 'year', messages: ['年度应为整数'] }]) }),
    )
    year: number,
  ) {
    return this.campaigns.progress(staff, year);
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
