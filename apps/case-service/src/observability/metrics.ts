import { ServiceError } from '@cases/domain';
import type { EventStore } from '@cases/event-store';
import type { ProjectionRunner } from '@cases/read-models';
import type { NextFunction, Request, Response } from 'express';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** Where the scrape-time gauges read from. */
export interface MetricSources {
  store: Pick<EventStore, 'headPosition'>;
  projections: Pick<ProjectionRunner, 'status' | 'failing' | 'parkedCounts'>;
}

/** Seconds: from a cached read (a few ms) to the slowest acceptable answer and beyond. */
const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/**
 * The Prometheus metrics of one application, in a registry of its own (so that several
 * applications in one process, as in the tests, never clash). Labels hold route templates,
 * command names, problem codes and projection names only: never an id, a query value or anything
 * a person typed, which keeps both personal data and label cardinality out.
 */
export class ServiceMetrics {
  readonly registry = new Registry();

  private readonly httpDuration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'Time to answer an HTTP request, by method, route template and status code',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: LATENCY_BUCKETS,
    registers: [this.registry],
  });

  private readonly commands = new Counter({
    name: 'cases_commands_total',
    help: 'Commands handled, by command and outcome (ok, replayed, or the problem code that refused it)',
    labelNames: ['command', 'outcome'] as const,
    registers: [this.registry],
  });

  private readonly commandDuration = new Histogram({
    name: 'cases_command_duration_seconds',
    help: 'Time to handle a command, by command',
    labelNames: ['command'] as const,
    buckets: LATENCY_BUCKETS,
    registers: [this.registry],
  });

  private readonly schedulerRuns = new Counter({
    name: 'cases_scheduler_runs_total',
    help: 'Passes of the deadline scheduler over the open deadlines',
    registers: [this.registry],
  });

  private readonly schedulerAlerts = new Counter({
    name: 'cases_scheduler_alerts_total',
    help: 'Deadline warnings (预警) and misses the scheduler recorded',
    registers: [this.registry],
  });

  constructor(sources: MetricSources) {
    collectDefaultMetrics({ register: this.registry });
    new Gauge({
      name: 'cases_event_store_head_position',
      help: 'Global position of the last event in the store',
      registers: [this.registry],
      async collect() {
        this.set(Number(await sources.store.headPosition()));
      },
    });
    new Gauge({
      name: 'cases_projection_lag_events',
      help: 'Events a read model trails the head of the log by',
      labelNames: ['projection'] as const,
      registers: [this.registry],
      async collect() {
        const head = await sources.store.headPosition();
        this.reset();
        for (const status of sources.projections.status(head)) this.set({ projection: status.projection }, Number(status.lag));
      },
    });
    new Gauge({
      name: 'cases_projection_failing',
      help: '1 while a read model is failing (its last batch failed and none has applied since), 0 otherwise',
      labelNames: ['projection'] as const,
      registers: [this.registry],
      async collect() {
        const head = await sources.store.headPosition();
        const failing = new Set(sources.projections.failing());
        this.reset();
        for (const { projection } of sources.projections.status(head)) this.set({ projection }, failing.has(projection) ? 1 : 0);
      },
    });
    new Gauge({
      name: 'cases_parked_events',
      help: 'Events a read model parked (refused, and held back behind a refused one): their cases stop short of the log until replayed',
      labelNames: ['projection'] as const,
      registers: [this.registry],
      async collect() {
        const head = await sources.store.headPosition();
        const parked = new Map((await sources.projections.parkedCounts()).map((count) => [count.projection, count.events]));
        this.reset();
        for (const { projection } of sources.projections.status(head)) this.set({ projection }, parked.get(projection) ?? 0);
      },
    });
  }

  /** Records one command: `outcome` is `ok`, `replayed` or the refusing problem code (`error` for a failure). */
  command(command: string, outcome: string, seconds: number): void {
    this.commands.inc({ command, outcome });
    this.commandDuration.observe({ command }, seconds);
  }

  /** Records one pass of the deadline scheduler. */
  schedulerRun(run: { alertsRecorded: number }): void {
    this.schedulerRuns.inc();
    this.schedulerAlerts.inc(run.alertsRecorded);
  }

  /** Express middleware: times every request and records it once the answer is sent. */
  readonly httpMiddleware = (request: Request, response: Response, next: NextFunction): void => {
    const stop = this.httpDuration.startTimer();
    response.once('finish', () => {
      stop({ method: request.method, route: routeTemplate(request), status: String(response.statusCode) });
    });
    next();
  };
}

/**
 * The route template a request matched (`/api/cases/:id/accept`), or `unmatched`: never the path
 * itself, which holds ids and, for unknown routes, whatever a client sent. A wildcard template is
 * a middleware mount (the API has no wildcard routes): the request reached no endpoint.
 */
function routeTemplate(request: Request): string {
  const route = (request as Request & { route?: { path?: unknown } }).route;
  return typeof route?.path === 'string' && !route.path.includes('*') ? `${request.baseUrl}${route.path}` : 'unmatched';
}

/** The outcome label of a command that threw. */
export function outcomeOf(error: unknown): string {
  return error instanceof ServiceError ? error.code : 'error';
}
