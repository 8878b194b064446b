import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import {
  IsEmail,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  Length,
  Matches,
  Min,
  ValidateBy,
  ValidateIf,
  type ValidationOptions,
} from 'class-validator';
import { beijingYear } from '@app/domain/beijing-date';

/** At most this year in Beijing, read when the request is validated (a decorator argument is read once, at boot). */
function NotAfterThisYear(options: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    { name: 'notAfterThisYear', validator: { validate: (value) => Number(value) <= beijingYear() } },
    options,
  );
}

const trim = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value);
const upper = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim().toUpperCase() : value);
const emptyToUndefined = ({ value }: { value: unknown }) =>
  typeof value === 'string' && value.trim() === '' ? undefined : typeof value === 'string' ? value.trim() : value;

/** Personal data that the applicant may correct when the application is returned. */
export class ApplicantDetailsDto {
  @ApiProperty({ example: '王小明', description: '姓名（与身份证一致）' })
  @Transform(trim)
  @IsString({ message: '请填写姓名' })
  @Length(2, 40, { message: '姓名应为 2–40 个字' })
  @Matches(/^[\p{Script=Han}\p{L}·．• ]+$/u, { message: '姓名只能包含汉字、字母和间隔号（·）' })
  name: string;

  @ApiProperty({ example: '13800138000', description: '手机号码' })
  @Transform(trim)
  @Matches(/^1[3-9]\d{9}$/, { message: '手机号码应为 11 位数字，以 1 开头' })
  mobile: string;

  @ApiProperty({ example: 'wang@example.com', description: '电子邮箱' })
  @Transform(trim)
  @IsEmail({}, { message: '电子邮箱格式不正确' })
  email: string;

  @ApiPropertyOptional({ description: '通讯地址' })
  @Transform(emptyToUndefined)
  @IsOptional()
  @IsString()
  @Length(2, 200, { message: '通讯地址应为 2–200 个字' })
  address?: string;

  @ApiProperty({ enum: ['exam', 'assessment'], description: 'exam 考试全科合格；assessment 考核' })
  @IsIn(['exam', 'assessment'], { message: '入会方式应为 考试（exam）或 考核（assessment）' })
  admissionRoute: 'exam' | 'assessment';

  @ApiPropertyOptional({ example: 2015, description: '全科合格年度（考试入会必填）' })
  @ValidateIf((o: ApplicantDetailsDto) => o.admissionRoute === 'exam')
  @Type(() => Number)
  @IsInt({ message: '考试入会须填写全科合格年度' })
  @Min(1991, { message: '全科合格年度不早于 1991 年' })
  @NotAfterThisYear({ message: '全科合格年度不能晚于今年' })
  examPassYear?: number;

  @ApiPropertyOptional({ description: '全科合格证书编号（考试入会必填）' })
  @ValidateIf((o: ApplicantDetailsDto) => o.admissionRoute === 'exam')
  @Transform(trim)
  @Matches(/^[0-9A-Za-z-]{6,32}$/, { message: '全科合格证书编号应为 6–32 位字母或数字' })
  examPassCertNo?: string;

  @ApiPropertyOptional({ description: '最高学历' })
  @Transform(emptyToUndefined)
  @IsOptional()
  @IsString()
  @Length(2, 40, { message: '学历应为 2–40 个字' })
  education?: string;

  @ApiPropertyOptional({ description: '工作单位' })
  @Transform(emptyToUndefined)
  @IsOptional()
  @IsString()
  @Length(2, 100, { message: '工作单位应为 2–100 个字' })
  employer?: string;
}

/** A new application (非执业会员申请, R3). Gender and date of birth come from the ID number. */
export class SubmitApplicationDto extends ApplicantDetailsDto {
  @ApiProperty({ example: '11010519491231002X', description: '居民身份证号（18 位）' })
  @Transform(upper)
  @Matches(/^\d{17}[\dX]$/, { message: '身份证号应为 18 位，最后一位可为 X' })
  idNumber: string;

  @ApiProperty({ example: '11', description: '所属地方注协代码（2 位，如 11 北京、47 深圳）' })
  @Transform(trim)
  @Matches(/^\d{2}$/, { message: '请选择所属地方注协' })
  provinceCode: string;
}

/** Who the applicant is, for the progress page and corrections: application number + ID number. */
export class ApplicantLookupDto {
  @ApiProperty({ example: 'SQ20261126000001', description: '申请编号' })
  @Transform(upper)
  @Matches(/^SQ\d{14}$/, { message: '申请编号格式应为 SQ 加 14 位数字' })
  applicationNo: string;

  @ApiProperty({ example: '11010519491231002X', description: '申请时填写的身份证号' })
  @Transform(upper)
  @Matches(/^\d{17}[\dX]$/, { message: '身份证号应为 18 位，最后一位可为 X' })
  idNumber: string;
}

export class ResubmitApplicationDto extends ApplicantDetailsDto {
  @ApiProperty({ description: '申请时填写的身份证号（用于核对身份）' })
  @Transform(upper)
  @Matches(/^\d{17}[\dX]$/, { message: '身份证号应为 18 位，最后一位可为 X' })
  idNumber: string;
}

export const ATTACHMENT_KINDS = {
  idCard: '身份证（正反面）',
  examCertificate: '全科合格证',
  education: '学历证明',
  other: '其他材料',
} as const;
export type AttachmentKind = keyof typeof ATTACHMENT_KINDS;
