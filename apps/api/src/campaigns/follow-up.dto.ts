import { ApiPropertyOptional, IntersectionType } from '@nestjs/swagger';
import { IsIn, IsOptional } from 'class-validator';
import { PROVINCES } from '@app/domain/provinces';
import { PageQuery } from '../common/pagination';

/** The inspection outcomes that put a member on the institute's follow-up list (not reissued, R12). */
export const FOLLOW_UP_INSPECTIONS = ['failed', 'missing'] as const;
export type FollowUpInspection = (typeof FOLLOW_UP_INSPECTIONS)[number];

/** Which members of the list: one province (provincial staff: only their own) and one outcome, or all of them. */
export class FollowUpFilter {
  @ApiPropertyOptional({ description: '地方注协代码（2 位）；地方注协工作人员只能查询本省，省略即本省' })
  @IsOptional()
  @IsIn(PROVINCES.map((p) => p.code), { message: '地方注协代码无效' })
  provinceCode?: string;

  @ApiPropertyOptional({
    enum: FOLLOW_UP_INSPECTIONS,
    description: 'failed 年检未通过，missing 未年检；省略则两者都列出',
  })
  @IsOptional()
  @IsIn(FOLLOW_UP_INSPECTIONS, { message: '年检结果只能是 failed（未通过）或 missing（未年检）' })
  inspection?: FollowUpInspection;
}

/** The paged list (the CSV takes the filter alone: it is the whole list). */
export class FollowUpQuery extends IntersectionType(FollowUpFilter, PageQuery) {}
