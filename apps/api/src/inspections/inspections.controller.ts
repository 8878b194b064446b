import { Body, Controller, Get, HttpCode, Param, Post, Query, Req } from '@nestjs/common';
import { ApiBody, ApiConsumes, ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { CurrentPrincipal, StaffOnly } from '../common/decorators';
import { CertificateNoPipe } from '../common/pipes';
import type { StaffPrincipal } from '../common/principal';
import { RecordInspectionDto } from './dto/record-inspection.dto';
import { readInspectionUpload } from './inspection-upload';
import { InspectionsService } from './inspections.service';

/** Who records inspection results: the institutes' staff and the national administrators. */
export const INSPECTION_WRITERS = ['provincialReviewer', 'provincialAdmin', 'nationalAdmin'] as const;

@ApiTags('inspections 年检')
@Controller('api')
export class InspectionsController {
  constructor(private readonly inspections: InspectionsService) {}

  @StaffOnly(...INSPECTION_WRITERS)
  @Post('inspections/uploads')
  @HttpCode(200)
  @ApiConsumes('multipart/form-data')
  @ApiBody({
    description:
      '字段 file：CSV（UTF-8）或 Excel（.xlsx），表头 证书编号/memberNo、年度/year、结果/result、通过日期/passedOn、备注/remark',
    schema: { type: 'object' as const },
  })
  @ApiQuery({ name: 'dryRun', required: false, description: 'true（默认）只检查不写入；false 正式导入（全部或全不）' })
  @ApiOperation({ summary: '上传年检结果文件（R13）：预检或正式导入' })
  async upload(
    @CurrentPrincipal() staff: StaffPrincipal,
    @Req() request: FastifyRequest,
    @Query('dryRun') dryRun?: string,
  ) {
    const { fileName, data } = await readInspectionUpload(request);
    // Anything but an explicit "false" is a dry run: a typo must not write.
    return dryRun === 'false'
      ? this.inspections.upload(staff, fileName, data)
      : this.inspections.dryRun(staff, fileName, data);
  }

  @StaffOnly(...INSPECTION_WRITERS)
  @Post('inspections')
  @HttpCode(200)
  @ApiOperation({ summary: '登记一名会员某年度的年检结果（记入审计日志）' })
  record(@CurrentPrincipal() staff: StaffPrincipal, @Body() body: RecordInspectionDto) {
    return this.inspections.record(staff, {
      certificateNo: body.certificateNo,
      year: body.year,
      result: body.result,
      passedOn: body.passedOn ?? null,
      remark: body.remark ?? null,
    });
  }

  @StaffOnly()
  @Get('members/:certificateNo/inspections')
  @ApiOperation({ summary: '会员历年年检结果（地方注协仅限本省）' })
  history(@CurrentPrincipal() staff: StaffPrincipal, @Param('certificateNo', CertificateNoPipe) certificateNo: string) {
    return this.inspections.history(staff, certificateNo);
  }
}
