import fastifyCookie from '@fastify/cookie';
import fastifyMultipart from '@fastify/multipart';
import fastifyStatic from '@fastify/static';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import Handlebars from 'handlebars';
import { Logger } from 'nestjs-pino';
import path from 'node:path';
import { TEMPLATES_DIR, type AppConfig } from '@app/config';
import { AppModule } from './app.module';
import { createValidationPipe } from './common/validation';

const MEMBER_STATUS: Record<string, string> = { active: '正常', suspended: '暂停', cancelled: '注销' };

/** Page templates get their own Handlebars instance with our few helpers. */
function pageHandlebars(): typeof Handlebars {
  const hbs = Handlebars.create();
  hbs.registerHelper('eq', (a: unknown, b: unknown) => a === b);
  hbs.registerHelper('statusLabel', (s: string) => MEMBER_STATUS[s] ?? s);
  return hbs;
}

/** Builds the API application (used by main.ts and by tests, which listen on a free port). */
export async function createApiApp(config: AppConfig): Promise<NestFastifyApplication> {
  const app = await NestFactory.create<NestFastifyApplication>(
    AppModule.forRoot(config),
    new FastifyAdapter({ trustProxy: true, bodyLimit: 12 * 1024 * 1024 }),
    { bufferLogs: true },
  );
  app.useLogger(app.get(Logger));
  app.useGlobalPipes(createValidationPipe());
  app.enableShutdownHooks();

  await app.register(fastifyCookie);
  // HTML forms (application/x-www-form-urlencoded) are parsed by Nest's Fastify adapter itself.
  await app.register(fastifyMultipart, { limits: { fileSize: 10 * 1024 * 1024, files: 10 } });
  await app.register(fastifyStatic, { root: path.join(TEMPLATES_DIR, 'pages', 'assets'), prefix: '/assets/' });
  app.setViewEngine({
    engine: { handlebars: pageHandlebars() },
    templates: path.join(TEMPLATES_DIR, 'pages'),
    layout: 'layouts/main.hbs',
    // Templates are read once in production; in development edits show on reload.
    production: config.nodeEnv === 'production',
  });

  const openApi = new DocumentBuilder()
    .setTitle('电子非执业会员证系统 API')
    .setDescription('中国注册会计师协会电子非执业会员证：入会审核、证书签发与验证、年检与换发。')
    .setVersion('1')
    .addBearerAuth()
    .addCookieAuth('cicpa_session')
    .build();
  SwaggerModule.setup('docs', app, () => SwaggerModule.createDocument(app, openApi));
  return app;
}
