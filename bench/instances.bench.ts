import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PostgresEventStore, SqliteEventStore, type EventStore } from '@cases/event-store';
import { ChildService } from '../test/support/child-service';
import { createPostgresTestDatabase, type PostgresTestDatabase } from '../test/support/postgres-test-database';
import { formatCount, positiveNumberFromEnv } from './bench-support';
import { HotlineIntakeLedger, hotlineCaseIdsInLog } from './hotline-intakes';
import { runPhase, summarise, summaryLine, type LoadTarget, type PhaseOutcome } from './http-load';

/**
 * Durable intake (POST /api/hotline-tickets) on the three ways the service is deployed, measured
 * side by side in one run so the machine's load hits all alike (docs/architecture.md, "Several
 * instances"):
 *   - one instance on the embedded SQLite store;
 *   - one instance on PostgreSQL (event log there; read models in its data folder);
 *   - two instances on one PostgreSQL database, the connections split between them as a load
 *     balancer would, both phases running at once.
 * Each configuration runs in `ROUNDS` phases interleaved with the others'. Afterwards every
 * acknowledged intake is looked up in the log it was written to: a benchmark that loses intakes
 * has measured nothing.
 *
 *   npx tsc -p tsconfig.build.json --outDir .tmp/bench-dist
 *   CASE_SERVICE_ENTRY=.tmp/bench-dist/apps/case-service/src/main.js TS_NODE_BASEURL=.tmp/bench-dist \
 *     NODE_OPTIONS='-r tsconfig-paths/register' node .tmp/bench-dist/bench/instances.bench.js
 *
 * or `npm run bench:instances`. BENCH_SECONDS (default 10) per configuration. PostgreSQL is the
 * server at TEST_DATABASE_URL (default the local one); the benchmark creates and drops its databases.
 */

const SECONDS = positiveNumberFromEnv('BENCH_SECONDS', 10);
const CONNECTIONS = 50;
const ROUNDS = 2;
const WARM_UP_SECONDS = 1;
const REQUEST_TIMEOUT_SECONDS = 10;

interface Configuration {
  label: string;
  services: ChildService[];
  ledger: HotlineIntakeLedger;
  openStore: () => Promise<EventStore>;
}

function intakeTarget(label: string, service: ChildService, ledger: HotlineIntakeLedger): LoadTarget {
  return {
    label,
    url: service.url,
    serverPid: service.pid,
    expectedStatus: 201,
    requests: [
      {
        method: 'POST',
        path: '/api/hotline-tickets',
        headers: { 'content-type': 'application/json', ...service.authorization },
        setupRequest: (request) => ({ ...request, body: ledger.nextBody() }),
        onResponse: (status, body) => ledger.record(status, body),
      },
    ],
  };
}

/** One phase of a configuration: its connections split evenly over its instances, all at once. */
async function runConfiguration(configuration: Configuration, seconds: number): Promise<PhaseOutcome[]> {
  const connections = Math.floor(CONNECTIONS / configuration.services.length);
  return Promise.all(
    configuration.services.map((service) =>
      runPhase(intakeTarget(configuration.label, service, configuration.ledger), {
        connections,
        seconds,
        timeoutSeconds: REQUEST_TIMEOUT_SECONDS,
      }),
    ),
  );
}

/** Concurrent phases of one configuration count as one: their answers add up over the same wall time. */
function asOnePhase(phases: PhaseOutcome[]): PhaseOutcome {
  return {
    ...phases[0],
    elapsedMs: Math.max(...phases.map((phase) => phase.elapsedMs)),
    latenciesMs: phases.flatMap((phase) => phase.latenciesMs),
    unexpected: phases.reduce((sum, phase) => sum + phase.unexpected, 0),
    errors: phases.reduce((sum, phase) => sum + phase.errors, 0),
    serverCpuMs: phases.reduce((sum, phase) => sum + phase.serverCpuMs, 0),
  };
}

async function main(): Promise<void> {
  const runId = Date.now().toString(36);
  const folders: string[] = [];
  const databases: PostgresTestDatabase[] = [];
  const services: ChildService[] = [];
  const folder = (): string => {
    const dir = mkdtempSync(join(tmpdir(), 'cases-instances-bench-'));
    folders.push(dir);
    return dir;
  };
  const start = async (env: Record<string, string> = {}): Promise<ChildService> => {
    const service = await ChildService.start({ dataDir: folder(), env: { SCHEDULER_INTERVAL_MS: '0', LOG_LEVEL: 'warn', ...env } });
    services.push(service);
    return service;
  };
  try {
    const sqlite = await start();
    const onePg = await createPostgresTestDatabase();
    const twoPg = await createPostgresTestDatabase();
    databases.push(onePg, twoPg);
    // Production supplies the master key from a secret store; the instances of one store share it.
    const masterKey = randomBytes(32).toString('base64');
    const pgEnv = (database: PostgresTestDatabase): Record<string, string> => ({
      EVENT_STORE: 'postgres',
      DATABASE_URL: database.url,
      CASES_MASTER_KEY: masterKey,
    });
    const pgSingle = await start(pgEnv(onePg));
    // The second instance starts once the first has seeded the store, as a rolling deploy would.
    const pgPair = [await start(pgEnv(twoPg)), await start(pgEnv(twoPg))];

    const configurations: Configuration[] = [
      {
        label: 'SQLite, one instance',
        services: [sqlite],
        ledger: new HotlineIntakeLedger(`${runId}-s`),
        openStore: () => Promise.resolve(SqliteEventStore.open(join(sqlite.dataDir, 'events.db'))),
      },
      {
        label: 'PostgreSQL, one instance',
        services: [pgSingle],
        ledger: new HotlineIntakeLedger(`${runId}-p1`),
        openStore: () => PostgresEventStore.open(onePg.url),
      },
      {
        label: 'PostgreSQL, two instances',
        services: pgPair,
        ledger: new HotlineIntakeLedger(`${runId}-p2`),
        openStore: () => PostgresEventStore.open(twoPg.url),
      },
    ];

    console.log(`Intake at ${CONNECTIONS} connections, ${SECONDS} s per configuration in ${ROUNDS} interleaved phases`);
    for (const configuration of configurations) await runConfiguration(configuration, WARM_UP_SECONDS);
    const phases = new Map<string, PhaseOutcome[]>(configurations.map((configuration) => [configuration.label, []]));
    for (let round = 1; round <= ROUNDS; round++) {
      for (const configuration of configurations) {
        phases.get(configuration.label)?.push(asOnePhase(await runConfiguration(configuration, SECONDS / ROUNDS)));
      }
    }

    const summaries = configurations.map((configuration) => summarise(phases.get(configuration.label) ?? []));
    configurations.forEach((configuration, index) => console.log(summaryLine(configuration.label, summaries[index])));
    const [sqliteRate, onePgRate, twoPgRate] = summaries.map((summary) => summary.requestsPerSecond);
    console.log(
      `PostgreSQL one / SQLite ${(onePgRate / sqliteRate).toFixed(3)}, ` +
        `PostgreSQL two / one ${(twoPgRate / onePgRate).toFixed(3)}, PostgreSQL two / SQLite ${(twoPgRate / sqliteRate).toFixed(3)}`,
    );

    let lost = 0;
    for (const configuration of configurations) {
      const store = await configuration.openStore();
      try {
        const inLog = await hotlineCaseIdsInLog(store);
        const missing = [...configuration.ledger.acknowledgedCaseIds].filter((id) => !inLog.has(id)).length;
        lost += missing;
        console.log(
          `${configuration.label}: ${formatCount(configuration.ledger.acknowledgedCaseIds.size)} intakes acknowledged, ${missing} missing from the log` +
            (configuration.ledger.refused.size > 0 ? `; refused: ${JSON.stringify(Object.fromEntries(configuration.ledger.refused))}` : ''),
        );
      } finally {
        await store.close();
      }
    }
    if (lost > 0) process.exitCode = 1;
  } finally {
    await Promise.allSettled(services.map((service) => service.stop()));
    await Promise.allSettled(databases.map((database) => database.drop()));
    for (const dir of folders) rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
