import { Injectable, PipeTransform } from '@nestjs/common';
import { isCertificateNo } from '@app/domain/certificate-number';
import { Errors } from './app-exception';

/** Rejects a malformed certificate number with a 400 naming the field. */
@Injectable()
export class CertificateNoPipe implements PipeTransform<string, string> {
  transform(value: string): string {
    if (!isCertificateNo(value)) {
      throw Errors.validation([{ field: 'certificateNo', messages: ['证书编号应为 12 位数字，前两位为地方注协代码'] }]);
    }
    return value;
  }
}
