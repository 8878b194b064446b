import { HttpException, HttpStatus } from '@nestjs/common';

/**
 * Errors a person sees: a stable code for programs and a Chinese message that says what
 * was wrong and what to do (STYLE.md; twenty's typed exceptions).
 */
export class AppException extends HttpException {
  constructor(
    readonly code: string,
    message: string,
    status: HttpStatus,
    readonly fields?: FieldError[],
  ) {
    super({ statusCode: status, code, message, ...(fields ? { fields } : {}) }, status);
  }
}

export interface FieldError {
  readonly field: string;
  readonly messages: string[];
}

export const Errors = {
  unauthenticated: () => new AppException('UNAUTHENTICATED', '请先登录。', HttpStatus.UNAUTHORIZED),
  badCredentials: () => new AppException('BAD_CREDENTIALS', '账号或密码错误，请检查后重试。', HttpStatus.UNAUTHORIZED),
  forbidden: (message = '您没有执行此操作的权限。') => new AppException('FORBIDDEN', message, HttpStatus.FORBIDDEN),
  otherProvince: () =>
    new AppException('OTHER_PROVINCE', '该会员不属于您所在的地方注协，您无权查看或办理。', HttpStatus.FORBIDDEN),
  passwordChangeRequired: () =>
    new AppException('PASSWORD_CHANGE_REQUIRED', '首次登录须先修改初始密码。', HttpStatus.FORBIDDEN),
  notFound: (what: string) => new AppException('NOT_FOUND', `未找到${what}。`, HttpStatus.NOT_FOUND),
  validation: (fields: FieldError[]) =>
    new AppException(
      'VALIDATION_FAILED',
      `提交的信息有误：${fields.map((f) => `${f.field}（${f.messages.join('；')}）`).join('，')}`,
      HttpStatus.BAD_REQUEST,
      fields,
    ),
};
