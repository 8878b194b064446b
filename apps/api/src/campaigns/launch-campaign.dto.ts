import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayMinSize, IsArray, IsIn, IsInt, IsISO8601, IsOptional, Matches, Max, Min } from 'class-validator';
import { PROVINCES } from '@app/domain/provinces';

const CODES = PROVINCES.map((p) => p.code);

export class LaunchCampaignDto {
  @ApiProperty({ description: '年检年度', example: 2025 })
  @IsInt({ message: '年度应为整数' })
  @Min(2021, { message: '年度不得早于 2021' })
  @Max(2100, { message: '年度不得晚于 2100' })
  year: number;

  @ApiPropertyOptional({ type: [String], description: '参加的地方注协代码；省略则为全部 32 个' })
  @IsOptional()
  @IsArray({ message: '地方注协代码应为列表' })
  @ArrayMinSize(1, { message: '至少选择 1 个地方注协' })
  @IsIn(CODES, { each: true, message: '地方注协代码无效' })
  provinceCodes?: string[];

  @ApiProperty({ description: '申领截止日期（北京时间，此日起纸质证书失效）', example: '2025-12-31' })
  @Matches(/^\d{4}-\d{2}-\d{2}$/, { message: '截止日期格式应为 YYYY-MM-DD' })
  claimDeadline: string;

  @ApiPropertyOptional({ description: '提醒间隔（天，默认 7）', example: 7 })
  @IsOptional()
  @IsInt({ message: '提醒间隔应为整数天' })
  @Min(1, { message: '提醒间隔至少 1 天' })
  @Max(90, { message: '提醒间隔至多 90 天' })
  reminderEveryDays?: number;
}

export class CampaignControlDto {
  @ApiPropertyOptional({ description: '只作用于该地方注协；省略则作用于整个年检换发' })
  @IsOptional()
  @IsIn(CODES, { message: '地方注协代码无效' })
  provinceCode?: string;
}

export class ScheduleDto {
  @ApiProperty({ description: '本省换发开始时间（ISO 8601）；null 表示立即开始', nullable: true, type: String })
  @IsOptional()
  @IsISO8601({ strict: true }, { message: '开始时间格式应为 ISO 8601' })
  startsAt: string | null;
}
