import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, StaffOnly } from '../common/decorators';
import type { StaffPrincipal } from '../common/principal';
import { NotificationsQuery, ResolveNotificationDto } from './notifications.dto';
import { NotificationsService } from './notifications.service';

/** The outbox for operators (R14): national administrators only, as it spans every province's members. */
@ApiTags('notifications 通知')
@StaffOnly('nationalAdmin')
@Controller('api/notifications')
export class NotificationsController {
  constructor(private readonly notifications: NotificationsService) {}

  @Get()
  @ApiOperation({
    summary: '通知列表（默认为在途 sending，即结果不明、系统不会自动重发的通知）：收件人部分隐藏，最新的在前',
  })
  list(@Query() query: NotificationsQuery) {
    return this.notifications.list(query);
  }

  @Post(':id/resolve')
  @HttpCode(200)
  @ApiOperation({
    summary:
      '处理在途通知：delivered 核实已送达（记为已发送），resend 重新发送（在途或发送失败的通知）；记入审计日志，已被处理的返回 409',
  })
  resolve(@CurrentPrincipal() staff: StaffPrincipal, @Param('id') id: string, @Body() body: ResolveNotificationDto) {
    return this.notifications.resolve(staff, id, body.outcome, body.note);
  }
}
