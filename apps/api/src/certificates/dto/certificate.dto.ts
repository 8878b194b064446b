import { ApiProperty } from '@nestjs/swagger';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsIn, IsString, Length, Matches } from 'class-validator';
import {
  ISSUANCE_REASON_LABELS,
  type IssuanceReason,
} from '@app/workflows/certificate-issuance/certificate-issuance.messages';

const REASONS = Object.keys(ISSUANCE_REASON_LABELS) as IssuanceReason[];

export class IssueCertificateDto {
  @ApiProperty({ enum: REASONS, description: '签发原因：首次签发、年检后换发、信息变更、转会' })
  @IsIn(REASONS, { message: `签发原因应为 ${REASONS.join('、')} 之一` })
  reason: IssuanceReason;
}

export class RevokeCertificateDto {
  @ApiProperty({ description: '吊销原因（2–500 个字符），验证页面显示' })
  @IsString({ message: '请填写吊销原因' })
  @Length(2, 500, { message: '吊销原因应为 2–500 个字符' })
  reason: string;
}

/** Most certificates in one zip: keeps one request's memory and time bounded. */
export const MAX_ZIP_CERTIFICATES = 200;

export class DownloadZipDto {
  @ApiProperty({ type: [String], description: `证书编号列表（1–${MAX_ZIP_CERTIFICATES} 个）` })
  @IsArray({ message: '请提供证书编号列表' })
  @ArrayMinSize(1, { message: '至少选择 1 个证书' })
  @ArrayMaxSize(MAX_ZIP_CERTIFICATES, { message: `一次最多下载 ${MAX_ZIP_CERTIFICATES} 个证书` })
  @Matches(/^\d{12}$/, { each: true, message: '证书编号应为 12 位数字' })
  certificateNos: string[];
}
