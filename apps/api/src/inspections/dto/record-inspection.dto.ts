import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, Matches, MaxLength } from 'class-validator';
import { INSPECTION_RESULTS, type InspectionResult } from '@app/persistence';

/** One member's result for one year (console form or API). Range and date rules are checked by the service. */
export class RecordInspectionDto {
  @ApiProperty({ description: '证书编号（12 位）' })
  @Matches(/^\d{12}$/, { message: '证书编号应为 12 位数字' })
  certificateNo: string;

  @ApiProperty({ description: '年度（2017 年起）' })
  @Type(() => Number)
  @IsInt({ message: '年度应为 4 位年份' })
  year: number;

  @ApiProperty({ enum: INSPECTION_RESULTS, description: 'passed 通过 / failed 不通过 / exempt 免检' })
  @IsIn(INSPECTION_RESULTS, { message: '结果应为 通过、不通过 或 免检' })
  result: InspectionResult;

  @ApiPropertyOptional({ description: '通过日期 YYYY-MM-DD（结果为通过时必填）' })
  @IsOptional()
  @Matches(/^\d{4}-\d{2}-\d{2}$/, { message: '通过日期应写作 YYYY-MM-DD' })
  passedOn?: string;

  @ApiPropertyOptional({ description: '备注' })
  @IsOptional()
  @IsString()
  @MaxLength(500, { message: '备注不超过 500 个字符' })
  remark?: string;
}
