import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, MaxLength, Min } from 'class-validator';
import { PageQuery } from '../../common/pagination';
import { REVIEW_OUTCOMES, type ReviewOutcome } from '@app/domain/review';

export const TASK_VIEWS = ['open', 'mine', 'claimed', 'done', 'all'] as const;

export class ListTasksQuery extends PageQuery {
  @ApiPropertyOptional({ description: '任务类型：firstReview（初核）、secondReview（复核）、onSiteCheck（现场核验）' })
  @IsOptional()
  @IsIn(['firstReview', 'secondReview', 'onSiteCheck'], {
    message: '任务类型应为 firstReview、secondReview 或 onSiteCheck',
  })
  type?: string;

  @ApiPropertyOptional({
    enum: TASK_VIEWS,
    default: 'open',
    description: 'open 待认领，mine 我认领的，claimed 已认领，done 已完成，all 全部',
  })
  @IsOptional()
  @IsIn(TASK_VIEWS, { message: '状态应为 open、mine、claimed、done 或 all' })
  view: (typeof TASK_VIEWS)[number] = 'open';

  @ApiPropertyOptional({ description: '只看等待超过该小时数的任务' })
  @IsOptional()
  @Type(() => Number)
  @IsInt({ message: '等待时长应为整数小时' })
  @Min(0, { message: '等待时长不能为负数' })
  minAgeHours?: number;
}

export class NextTaskDto {
  @ApiPropertyOptional({ description: '只取该类型的任务' })
  @IsOptional()
  @IsIn(['firstReview', 'secondReview', 'onSiteCheck'], {
    message: '任务类型应为 firstReview、secondReview 或 onSiteCheck',
  })
  type?: string;
}

export class DecideTaskDto {
  @ApiProperty({ enum: REVIEW_OUTCOMES, description: 'approve 通过，reject 不予通过，return 退回修改' })
  @IsIn(REVIEW_OUTCOMES, { message: '审核结论应为 approve（通过）、reject（不予通过）或 return（退回修改）' })
  outcome: ReviewOutcome;

  @ApiPropertyOptional({ description: '不予通过或退回修改的原因（申请人可见），2–500 字' })
  @IsOptional()
  @IsString({ message: '原因应为文字' })
  @MaxLength(500, { message: '原因不超过 500 字' })
  reason?: string;
}
