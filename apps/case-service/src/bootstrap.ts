import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { AppModule } from './app.module';
import type { AppConfig } from './config/app-config';
import type { Clock } from './infrastructure/clock';
import { ProblemDetailsFilter } from './http/problem-details';
import { ProblemValidationPipe } from './http/validation.pipe';

/** Builds the HTTP application; `main.ts` listens with it and the end-to-end tests drive it with supertest. */
export async function createApp(config: AppConfig, options: { clock?: Clock; logger?: false } = {}): Promise<NestExpressApplication> {
  const app = await NestFactory.create<NestExpressApplication>(AppModule.forRoot(config, options.clock), {
    ...(options.logger === false ? { logger: false } : {}),
  });
  app.disable('x-powered-by');
  app.useBodyParser('json', { limit: '1mb' });
  // Revisions and positions are bigint inside the service; JSON has no bigint. They leave as
  // numbers (exact up to 2^53, far beyond any case's revision) and as strings past that.
  app.set('json replacer', (_key: string, value: unknown) =>
    typeof value === 'bigint' ? (value <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(value) : value.toString()) : value,
  );
  app.useGlobalFilters(new ProblemDetailsFilter());
  app.useGlobalPipes(new ProblemValidationPipe());
  app.enableShutdownHooks();
  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('Case service (综治中心案件服务)')
      .setDescription(
        `Event-sourced case management for ${config.org.name}: petitions (信访), 12345 hotline tickets and disputes (矛盾纠纷) through collect → dispatch → resolve → review. Errors are RFC 9457 problem details.`,
      )
      .setVersion('1')
      .build(),
  );
  SwaggerModule.setup('docs', app, document, { jsonDocumentUrl: 'docs-json' });
  return app;
}
