import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DynamicModule } from '@nestjs/common';
import { AppModule } from '../../apps/case-service/src/app.module';
import { loadKafkaConfig } from '../../apps/case-service/src/kafka/kafka.config';
import { KafkaModule } from '../../apps/case-service/src/kafka/kafka.module';
import { TestApp, expectStatus } from '../support/test-app';

/**
 * Kafka settings that keep the suites quick on the mock cluster: a short session (its first
 * group join takes 3 s, so not shorter than that), frequent heartbeats, short retry back-off, and
 * short fetches (the mock answers a fetch only when its wait is over, new messages or not).
 */
export const FAST_KAFKA_ENV: Record<string, string> = {
  KAFKA_SESSION_TIMEOUT_MS: '3500',
  KAFKA_HEARTBEAT_INTERVAL_MS: '300',
  KAFKA_RETRY_BACKOFF_MAX_MS: '1000',
  KAFKA_FETCH_MAX_WAIT_MS: '50',
};

/** `GET /health/kafka` as JSON (positions and lags as numbers). */
export interface KafkaHealthBody {
  status: 'off' | 'ok' | 'degraded';
  tickets: {
    state: string;
    lastError?: string;
    processed: number;
    casesCreated: number;
    deadLettered: number;
    partitions: { topic: string; partition: number; committedOffset: string; highWatermark: string; lag: number }[];
    inHand: { topic: string; partition: number; offset: string; attempt: number; heldMs: number }[];
  };
  relay: { state: string; position: number; lag: number; published: number; degradedSince?: string; lastError?: string };
}

/** AppModule with the Kafka module added, unless AppModule already imports it. */
function withKafka(module: DynamicModule, env: Record<string, string>): DynamicModule {
  const imports = module.imports ?? [];
  const present = imports.some((imported) => imported === KafkaModule || (imported as DynamicModule).module === KafkaModule);
  return present ? module : { ...module, imports: [...imports, KafkaModule.forRoot(loadKafkaConfig(env))] };
}

/**
 * The real service (the suites' `TestApp`: HTTP with signed-in users, SQLite store and read
 * models) with Kafka on, on a data folder that outlives it, so a suite can stop the service and
 * start it again where it was.
 */
export class KafkaTestApp {
  private constructor(
    readonly t: TestApp,
    readonly dataDir: string,
  ) {}

  static async start(options: { brokers: string; dataDir?: string; env?: Record<string, string> }): Promise<KafkaTestApp> {
    const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'case-service-kafka-'));
    const env: Record<string, string> = {
      DATA_DIR: dataDir,
      KAFKA_BROKERS: options.brokers,
      ...FAST_KAFKA_ENV,
      ...(options.env ?? {}),
    };
    // Until AppModule imports KafkaModule itself, the service is built with it added here.
    const forRoot = AppModule.forRoot.bind(AppModule);
    AppModule.forRoot = (appConfig, clock) => withKafka(forRoot(appConfig, clock), env);
    try {
      return new KafkaTestApp(await TestApp.start({ env }), dataDir);
    } finally {
      AppModule.forRoot = forRoot;
    }
  }

  /** Closes the service; its data folder stays unless `removeData`. */
  async stop(removeData = true): Promise<void> {
    await this.t.stop();
    if (removeData) rmSync(this.dataDir, { recursive: true, force: true });
  }

  get app() {
    return this.t.app;
  }

  async kafkaHealth(): Promise<KafkaHealthBody> {
    const res = await this.t.http.get('/health/kafka');
    expectStatus(res, 200);
    return res.body;
  }
}
