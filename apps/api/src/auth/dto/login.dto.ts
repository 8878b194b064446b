import { ApiProperty } from '@nestjs/swagger';
import { IsString, Length, Matches } from 'class-validator';

export class StaffLoginDto {
  @ApiProperty({ example: 'reviewer.11', description: '工作人员用户名' })
  @IsString({ message: '请输入用户名' })
  @Length(1, 64, { message: '用户名长度应为 1–64 个字符' })
  username: string;

  @ApiProperty({ description: '密码' })
  @IsString({ message: '请输入密码' })
  @Length(1, 128, { message: '请输入密码' })
  password: string;
}

export class MemberLoginDto {
  @ApiProperty({ example: '110000000001', description: '证书编号（12 位数字）' })
  @Matches(/^\d{12}$/, { message: '证书编号应为 12 位数字' })
  certificateNo: string;

  @ApiProperty({ description: '密码（首次登录为初始密码）' })
  @IsString({ message: '请输入密码' })
  @Length(1, 128, { message: '请输入密码' })
  password: string;
}

export class ChangePasswordDto {
  @ApiProperty({ description: '当前密码（首次登录时为初始密码）' })
  @IsString({ message: '请输入当前密码' })
  @Length(1, 128, { message: '请输入当前密码' })
  currentPassword: string;

  @ApiProperty({ description: '新密码：至少 8 位，须同时包含字母和数字' })
  @IsString({ message: '请输入新密码' })
  @Length(8, 128, { message: '新密码至少 8 位' })
  @Matches(/(?=.*[A-Za-z])(?=.*\d)/, { message: '新密码须同时包含字母和数字' })
  newPassword: string;
}
