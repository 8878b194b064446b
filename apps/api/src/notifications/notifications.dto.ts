import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsIn, IsOptional, IsString, Length } from 'class-validator';
import {
  NOTIFICATION_CHANNELS,
  NOTIFICATION_STATUSES,
  type NotificationChannel,
  type NotificationStatus,
} from '@app/persistence';
import { PageQuery } from '../common/pagination';

/** What an operator found out about a notification in doubt (or a failed one). */
export const RESOLUTION_OUTCOMES = ['delivered', 'resend'] as const;
export type ResolutionOutcome = (typeof RESOLUTION_OUTCOMES)[number];

const trim = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value);

/** The outbox list: by status (the rows in doubt unless asked otherwise) and channel, newest first. */
export class NotificationsQuery extends PageQuery {
  @ApiPropertyOptional({
    enum: NOTIFICATION_STATUSES,
    default: 'sending',
    description: 'sending 在途（结果不明），failed 发送失败，pending 待发送，sent 已发送',
  })
  @IsOptional()
  @IsIn(NOTIFICATION_STATUSES, { message: '状态只能是 sending、failed、pending 或 sent' })
  status: NotificationStatus = 'sending';

  @ApiPropertyOptional({ enum: NOTIFICATION_CHANNELS, description: 'mail 邮件，sms 短信；省略则两者都列出' })
  @IsOptional()
  @IsIn(NOTIFICATION_CHANNELS, { message: '渠道只能是 mail（邮件）或 sms（短信）' })
  channel?: NotificationChannel;
}

export class ResolveNotificationDto {
  @ApiProperty({
    enum: RESOLUTION_OUTCOMES,
    description:
      'delivered：已向邮件服务器或短信网关核实已送达，记为已发送（仅限在途）；resend：未送达，重新排队发送（在途或发送失败）',
  })
  @IsIn(RESOLUTION_OUTCOMES, { message: '处理结果只能是 delivered（已送达）或 resend（重新发送）' })
  outcome: ResolutionOutcome;

  @ApiProperty({ description: '处理说明（2–500 个字符）：如何核实的，记入审计日志' })
  @Transform(trim)
  @IsString({ message: '请填写处理说明' })
  @Length(2, 500, { message: '处理说明应为 2–500 个字符' })
  note: string;
}
