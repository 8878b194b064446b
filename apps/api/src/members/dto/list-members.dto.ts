import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, Length, Matches } from 'class-validator';
import { PageQuery } from '../../common/pagination';

export class ListMembersQuery extends PageQuery {
  @ApiPropertyOptional({ description: '地方注协代码（2 位）；地方注协工作人员只能查询本省' })
  @IsOptional()
  @Matches(/^\d{2}$/, { message: '地方注协代码应为 2 位数字' })
  province?: string;

  @ApiPropertyOptional({ description: '姓名或证书编号（前缀匹配）' })
  @IsOptional()
  @IsString()
  @Length(1, 40, { message: '查询条件长度应为 1–40 个字符' })
  q?: string;
}
