import helmet from 'helmet';
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { SwaggerModule } from '@nestjs/swagger';
import { Logger } from 'nestjs-pino';
import type { DestinationStream } from 'pino';
import { AppModule } from './app.module';
import type { AppConfig } from './config/app-config';
import type { Clock } from './infrastructure/clock';
import { routeMethods } from './http/allowed-methods';
import { answerClientErrorsWithProblems } from './http/client-errors';
import { jsonBody } from './http/json-body';
import { KnownQueryGuard } from './http/known-query.guard';
import { serveConsole } from './console/serve-console';
import { buildOpenApiDocument } from './http/openapi-document';
import { ProblemDetailsFilter } from './http/problem-details';
import { checkQueryText } from './http/query-rules';
import { checkRequestIds } from './http/request-ids';
import { ProblemValidationPipe } from './http/validation.pipe';
import { createHttpLogger } from './observability/http-logger';
import { ServiceMetrics } from './observability/metrics';
import { ObservabilityModule } from './observability/observability.module';

export interface CreateAppOptions {
  clock?: Clock;
  /** `false`: write no log at all (what the tests use, unless they read the log). */
  logger?: false;
  /** Where the JSON log lines go instead of standard output (a test that reads the log). */
  logDestination?: DestinationStream;
}

/** The HTTP application's root: the service itself, plus its logs, metrics and health probes. */
@Module({})
class HttpApplicationModule {}

/**
 * Builds the HTTP application; `main.ts` listens with it and the end-to-end tests drive it with
 * supertest. Every request passes, in order: the logger (which gives it its correlation id), the
 * metrics timer, the security headers, then the checks any request must pass before a route sees
 * it (id headers, query text, body), each answering problem details on its own; then the route,
 * with `KnownQueryGuard` and the validation pipe.
 */
export async function createApp(config: AppConfig, options: CreateAppOptions = {}): Promise<NestExpressApplication> {
  const quiet = options.logger === false;
  const httpLogger = createHttpLogger({ level: quiet ? 'silent' : config.logLevel, destination: options.logDestination });
  const app = await NestFactory.create<NestExpressApplication>(
    {
      module: HttpApplicationModule,
      imports: [AppModule.forRoot(config, options.clock), ObservabilityModule.forRoot(httpLogger.logger)],
    },
    // Express's own body parser is replaced by `jsonBody`, which bounds what a body may make the server do.
    { bodyParser: false, ...(quiet ? { logger: false } : { bufferLogs: true }) },
  );
  if (!quiet) {
    app.useLogger(app.get(Logger));
    // Start-up lines were held until the logger existed; NestFactory.create does not flush them itself.
    app.flushLogs();
  }
  app.use(httpLogger);
  app.use(app.get(ServiceMetrics).httpMiddleware);
  app.disable('x-powered-by');
  // Behind a reverse proxy the client's address comes from X-Forwarded-For (TRUST_PROXY): the
  // sign-in limiter counts attempts per client address, not per proxy.
  if (config.trustProxy !== false) app.set('trust proxy', config.trustProxy);
  // Security headers; the API answers browsers of other origins only when CORS_ORIGINS names them.
  // The console is often reached over plain HTTP on an office network: asking browsers to upgrade
  // its requests to HTTPS would leave it blank there.
  app.use(helmet({ contentSecurityPolicy: { directives: { upgradeInsecureRequests: null } } }));
  if (config.corsOrigins.length > 0)
    app.enableCors({ origin: config.corsOrigins, exposedHeaders: ['ETag', 'Location', 'Retry-After', 'X-Correlation-Id'] });
  app.use(checkRequestIds);
  app.use(checkQueryText);
  app.use(jsonBody());
  // The built console (apps/console) at `/`, same origin as the API.
  serveConsole(app);
  // Revisions and positions are bigint inside the service; JSON has no bigint. They leave as
  // numbers (exact up to 2^53, far beyond any case's revision) and as strings past that.
  app.set('json replacer', (_key: string, value: unknown) =>
    typeof value === 'bigint' ? (value <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(value) : value.toString()) : value,
  );
  app.useGlobalFilters(new ProblemDetailsFilter({ allowedMethods: routeMethods(app.getHttpAdapter().getInstance()) }));
  app.useGlobalGuards(new KnownQueryGuard());
  app.useGlobalPipes(new ProblemValidationPipe());
  app.enableShutdownHooks();
  answerClientErrorsWithProblems(app.getHttpServer());
  const document = buildOpenApiDocument(app, config.org.name);
  SwaggerModule.setup('docs', app, document, { jsonDocumentUrl: 'docs-json' });
  return app;
}
