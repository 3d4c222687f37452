import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import pino, { type DestinationStream, type Level, type Logger } from 'pino';
import { pinoHttp, type HttpLogger } from 'pino-http';
import { isRequestId } from '../http/request-ids';

export interface HttpLoggerOptions {
  level: Level | 'silent';
  /** Where the JSON lines go; standard output when absent. */
  destination?: DestinationStream;
}

/** Operational endpoints scraped every few seconds: logging each answer would drown the rest. */
const QUIET_PATHS = new Set(['/metrics', '/health', '/health/live', '/health/ready']);

/**
 * The service's JSON logger and its HTTP middleware (pino-http). Every request gets a
 * correlation id: the client's `X-Correlation-Id` when it is well formed, a new UUID otherwise. It
 * is echoed in the response's `X-Correlation-Id`, recorded on every event the request's command
 * writes, and carried by every log line written while the request is handled (as
 * `correlationId`), so one id finds a request in the log, the history and the client's records.
 *
 * What is logged of a request is its method, its path (ids, never personal data: those travel in
 * bodies), the names of its query parameters (not their values, since a search may hold a
 * name or a phone number), its status and its duration. Headers (credentials among them) and
 * bodies are never logged.
 */
export function createHttpLogger(options: HttpLoggerOptions): HttpLogger<IncomingMessage, ServerResponse> {
  const logger: Logger = pino(
    {
      level: options.level,
      base: { service: 'case-service' },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
    },
    options.destination ?? pino.destination({ sync: false }),
  );
  return pinoHttp({
    logger,
    quietReqLogger: true,
    customAttributeKeys: { reqId: 'correlationId' },
    genReqId: (req, res) => {
      const header = req.headers['x-correlation-id'];
      const id = typeof header === 'string' && isRequestId(header) ? header : randomUUID();
      res.setHeader('X-Correlation-Id', id);
      return id;
    },
    autoLogging: { ignore: (req) => QUIET_PATHS.has(pathOf(req.url)) },
    customLogLevel: (_req, res, error) => (error || res.statusCode >= 500 ? 'error' : 'info'),
    customSuccessMessage: (req, res, responseTime) => `${req.method} ${pathOf(req.url)} ${res.statusCode} ${Math.round(responseTime)} ms`,
    customErrorMessage: (req, res) => `${req.method} ${pathOf(req.url)} ${res.statusCode} failed`,
    serializers: {
      req: (req: { method?: string; url?: string }) => ({
        method: req.method,
        path: pathOf(req.url),
        queryParameters: queryNames(req.url),
      }),
      res: (res: { statusCode?: number }) => ({ statusCode: res.statusCode }),
    },
  });
}

function pathOf(url: string | undefined): string {
  if (url === undefined) return '';
  const query = url.indexOf('?');
  return query < 0 ? url : url.slice(0, query);
}

function queryNames(url: string | undefined): string[] {
  const query = url?.indexOf('?') ?? -1;
  if (url === undefined || query < 0) return [];
  return [...new URLSearchParams(url.slice(query + 1)).keys()].slice(0, 30);
}
