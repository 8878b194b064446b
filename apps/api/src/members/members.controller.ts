import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, StaffOnly } from '../common/decorators';
import type { StaffPrincipal } from '../common/principal';
import { ListMembersQuery } from './dto/list-members.dto';
import { MembersService } from './members.service';
import { CertificateNoPipe } from '../common/pipes';

@ApiTags('members 会员')
@StaffOnly()
@Controller('api/members')
export class MembersController {
  constructor(private readonly members: MembersService) {}

  @Get()
  @ApiOperation({ summary: '会员列表（地方注协仅限本省）' })
  list(@CurrentPrincipal() staff: StaffPrincipal, @Query() query: ListMembersQuery) {
    return this.members.list(staff, query);
  }

  @Get(':certificateNo')
  @ApiOperation({ summary: '会员详情（查看记入审计日志）' })
  detail(@CurrentPrincipal() staff: StaffPrincipal, @Param('certificateNo', CertificateNoPipe) certificateNo: string) {
    return this.members.detail(staff, certificateNo);
  }
}
