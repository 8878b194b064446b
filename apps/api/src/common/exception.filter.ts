import { ArgumentsHost, Catch, ExceptionFilter, HttpException, HttpStatus, Logger } from '@nestjs/common';
// Brings reply.view() into the FastifyReply type.
import type {} from '@fastify/view';
import type { FastifyReply, FastifyRequest } from 'fastify';

const MESSAGES: Record<number, string> = {
  400: '请求有误，请检查填写的内容。',
  401: '请先登录。',
  403: '您没有执行此操作的权限。',
  404: '页面或资源不存在。',
  405: '不支持该请求方式。',
  409: '该事项已被处理或状态已变化，请刷新后重试。',
  413: '上传的文件过大。',
  415: '不支持的文件类型。',
  429: '操作过于频繁，请稍后再试。',
  500: '系统内部错误，请稍后重试；如持续出现请联系管理员。',
  503: '服务暂时不可用，请稍后重试。',
};

interface ErrorBody {
  statusCode: number;
  code: string;
  message: string;
  fields?: unknown;
}

/** Pages are everything that is not the JSON API, the docs, health or well-known files. */
export function isPageRequest(url: string): boolean {
  return !/^\/(api|health|docs|\.well-known)(\/|$|\?)/.test(url);
}

/**
 * One error shape for the JSON API ({ statusCode, code, message[, fields] }, message in
 * Chinese) and a Chinese error page, or the log-in page, for browser pages.
 */
@Catch()
export class AllExceptionsFilter implements ExceptionFilter {
  private readonly logger = new Logger('Errors');

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const request = http.getRequest<FastifyRequest>();
    const reply = http.getResponse<FastifyReply>();
    const body = this.toBody(exception);
    if (body.statusCode >= 500) this.logger.error(exception instanceof Error ? exception.stack : String(exception));

    if (!isPageRequest(request.url)) {
      void reply.code(body.statusCode).send(body);
      return;
    }
    const memberArea = request.url.startsWith('/member');
    if (body.statusCode === 401) {
      const login = memberArea ? '/member/login' : '/login';
      void reply.redirect(`${login}?next=${encodeURIComponent(request.url)}`, 303);
      return;
    }
    if (body.code === 'PASSWORD_CHANGE_REQUIRED') {
      void reply.redirect('/member/password', 303);
      return;
    }
    void reply.code(body.statusCode).view('error.hbs', { title: '出错了', ...body });
  }

  private toBody(exception: unknown): ErrorBody {
    if (!(exception instanceof HttpException)) {
      return { statusCode: 500, code: 'INTERNAL', message: MESSAGES[500] };
    }
    const statusCode = exception.getStatus();
    const response = exception.getResponse();
    if (typeof response === 'object' && response !== null && 'code' in response) {
      return response as ErrorBody;
    }
    // Nest's and Fastify's own exceptions (unknown route, body too large…) get Chinese text.
    return {
      statusCode,
      code: HttpStatus[statusCode] ?? 'ERROR',
      message: MESSAGES[statusCode] ?? MESSAGES[statusCode >= 500 ? 500 : 400],
    };
  }
}
