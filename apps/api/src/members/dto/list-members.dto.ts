import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsString, Length, Matches, Max, Min } from 'class-validator';

export class ListMembersQuery {
  @ApiPropertyOptional({ description: '地方注协代码（2 位）；地方注协工作人员只能查询本省' })
  @IsOptional()
  @Matches(/^\d{2}$/, { message: '地方注协代码应为 2 位数字' })
  province?: string;

  @ApiPropertyOptional({ description: '姓名或证书编号（前缀匹配）' })
  @IsOptional()
  @IsString()
  @Length(1, 40, { message: '查询条件长度应为 1–40 个字符' })
  q?: string;

  @ApiPropertyOptional({ default: 1, minimum: 1 })
  @IsOptional()
  @Type(() => Number)
  @IsInt({ message: '页码应为整数' })
  @Min(1, { message: '页码从 1 开始' })
  page: number = 1;

  @ApiPropertyOptional({ default: 20, minimum: 1, maximum: 100 })
  @IsOptional()
  @Type(() => Number)
  @IsInt({ message: '每页条数应为整数' })
  @Min(1, { message: '每页至少 1 条' })
  @Max(100, { message: '每页最多 100 条' })
  pageSize: number = 20;
}
