import { Global, Inject, Logger, Module, type DynamicModule, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { CommandBus, type AsyncContext, type ICommand } from '@nestjs/cqrs';
import { TerminusModule } from '@nestjs/terminus';
import { LoggerModule } from 'nestjs-pino';
import type { Logger as PinoLogger } from 'pino';
import { EVENT_STORE, type EventStore } from '@cases/event-store';
import { ProjectionRunner } from '@cases/read-models';
import { OperationsController } from './operations.controller';
import { ParkedEventsController } from './parked-events.controller';
import { ServiceMetrics, outcomeOf } from './metrics';
import { ReadinessIndicators } from './readiness';

/**
 * Logs, metrics, liveness and readiness for the HTTP application. The pino logger is made by
 * `createApp`, which also mounts its HTTP middleware first of all, so that even a request refused
 * before routing is logged with its correlation id; nestjs-pino then routes Nest's own `Logger`
 * through it, inside the request's context when there is one. (Outside a request nestjs-pino
 * writes to one logger per process, the first application's: one service per process, as
 * deployed, logs everything through its own.)
 */
const SERVICE_LOGGER = Symbol('SERVICE_LOGGER');

@Global()
@Module({})
export class ObservabilityModule implements OnModuleInit, OnApplicationShutdown {
  static forRoot(logger: PinoLogger): DynamicModule {
    return {
      module: ObservabilityModule,
      imports: [LoggerModule.forRoot({ pinoHttp: { logger }, useExisting: true }), TerminusModule.forRoot({ errorLogStyle: 'json' })],
      controllers: [OperationsController, ParkedEventsController],
      providers: [
        {
          provide: ServiceMetrics,
          useFactory: (store: EventStore, projections: ProjectionRunner) => new ServiceMetrics({ store, projections }),
          inject: [EVENT_STORE, ProjectionRunner],
        },
        ReadinessIndicators,
        { provide: SERVICE_LOGGER, useValue: logger },
      ],
      exports: [ServiceMetrics],
    };
  }

  private readonly logger = new Logger('Commands');

  constructor(
    private readonly commandBus: CommandBus,
    @Inject(ServiceMetrics) private readonly metrics: ServiceMetrics,
    @Inject(SERVICE_LOGGER) private readonly serviceLogger: PinoLogger,
  ) {}

  /**
   * Counts every command by name and outcome where all of them pass, whoever sends them (HTTP, the
   * Kafka ticket intake, the CLI): the command bus. It has no hook for outcomes, so its `execute`
   * is wrapped once, here.
   */
  onModuleInit(): void {
    const bus = this.commandBus;
    const execute = bus.execute.bind(bus);
    const { metrics, logger } = this;
    // One line per command: its name, outcome and time. Inside a request it carries the request's
    // correlation id like every other line; it never carries the command's data.
    const record = (name: string, outcome: string, seconds: number) => {
      metrics.command(name, outcome, seconds);
      logger.log(`${name}: ${outcome} in ${Math.round(seconds * 1000)} ms`);
    };
    bus.execute = async function instrumentedExecute(command: ICommand, context?: AsyncContext) {
      const name = commandName(command);
      const started = process.hrtime.bigint();
      const seconds = () => Number(process.hrtime.bigint() - started) / 1e9;
      try {
        const result: unknown = await execute(command, context);
        record(name, (result as { replayed?: unknown } | undefined)?.replayed === true ? 'replayed' : 'ok', seconds());
        return result as never;
      } catch (error) {
        record(name, outcomeOf(error), seconds());
        throw error;
      }
    } as CommandBus['execute'];
  }

  onApplicationShutdown(): void {
    this.metrics.registry.clear();
    // Lines are written asynchronously: the last ones must reach the output before the process ends.
    this.serviceLogger.flush();
  }
}

/** `accept`, `register-petition`…: the domain command's type when the bus command carries one, else its class. */
function commandName(command: object): string {
  const carried =
    (command as { command?: { type?: unknown }; intake?: { type?: unknown } }).command?.type ??
    (command as { intake?: { type?: unknown } }).intake?.type;
  return typeof carried === 'string' ? carried : command.constructor.name;
}
