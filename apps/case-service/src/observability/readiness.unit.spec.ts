import { HealthIndicatorService } from '@nestjs/terminus';
import type { EventStore } from '@cases/event-store';
import type { ParkedCount, ProjectionRunner, ProjectionStatus } from '@cases/read-models';
import type { AppConfig } from '../config/app-config';
import { NotReadyError, ReadinessIndicators } from './readiness';

interface Fakes {
  head?: () => Promise<bigint>;
  ping?: () => Promise<void>;
  positions?: Record<string, bigint>;
  failing?: string[];
  parked?: ParkedCount[];
  maxLag?: number;
}

function indicators(fakes: Fakes = {}): ReadinessIndicators {
  const head = fakes.head ?? (async () => 100n);
  const store = { ping: fakes.ping ?? (async () => undefined), headPosition: head } as unknown as EventStore;
  const positions = fakes.positions ?? { case: 100n, 'case-history': 100n };
  const projections = {
    status: (at: bigint): ProjectionStatus[] =>
      Object.entries(positions).map(([projection, position]) => ({ projection, position, lag: at - position, rebuilding: false })),
    failing: () => fakes.failing ?? [],
    parkedCounts: async () => fakes.parked ?? [],
  } as unknown as ProjectionRunner;
  const config = { readinessMaxLag: fakes.maxLag ?? 10 } as AppConfig;
  return new ReadinessIndicators(new HealthIndicatorService(), store, projections, config);
}

describe('readiness', () => {
  it('is up when the store answers and every read model follows the log within the bound', async () => {
    const ready = indicators({ positions: { case: 90n, 'case-history': 100n } });
    expect(await ready.store()).toEqual({ store: { status: 'up', head: 100 } });
    expect(await ready.readModels()).toEqual({
      readModels: {
        status: 'up',
        maxLag: 10,
        models: [
          { projection: 'case', position: 90, lag: 10, failing: false, parkedEvents: 0 },
          { projection: 'case-history', position: 100, lag: 0, failing: false, parkedEvents: 0 },
        ],
      },
    });
  });

  it('is down when a read model trails the log by more than READINESS_MAX_LAG events', async () => {
    const result = await indicators({ positions: { case: 89n, 'case-history': 100n } }).readModels();
    expect(result.readModels).toMatchObject({ status: 'down', reason: 'more than 10 events behind: case' });
  });

  it('is down while a read model is failing, however small its lag', async () => {
    const result = await indicators({ failing: ['case-history'] }).readModels();
    expect(result.readModels).toMatchObject({ status: 'down', reason: 'failing: case-history' });
  });

  it('is down while a read model has parked events, naming how many and in how many cases', async () => {
    const result = await indicators({ parked: [{ projection: 'case', events: 3, cases: 1 }] }).readModels();
    expect(result.readModels).toMatchObject({ status: 'down', reason: 'parked events: case (3 in 1 cases)' });
    expect((result.readModels as unknown as { models: unknown[] }).models[0]).toMatchObject({
      projection: 'case',
      parkedEvents: 3,
      failing: false,
    });
  });

  it('is down when the store fails or does not answer within two seconds', async () => {
    const failing = await indicators({ ping: async () => Promise.reject(new Error('SQLITE_BUSY: database is locked')) }).store();
    expect(failing).toEqual({ store: { status: 'down', reason: 'SQLITE_BUSY: database is locked' } });

    jest.useFakeTimers();
    try {
      const silent = indicators({ ping: () => new Promise<void>(() => undefined), head: () => new Promise<bigint>(() => undefined) });
      const store = silent.store();
      const readModels = silent.readModels();
      await jest.advanceTimersByTimeAsync(2_000);
      expect(await store).toEqual({ store: { status: 'down', reason: 'no answer within 2000 ms' } });
      expect((await readModels).readModels).toEqual({ status: 'down', reason: 'the log head could not be read' });
    } finally {
      jest.useRealTimers();
    }
  });

  it('answers not ready as a 503 problem naming each check that is down', () => {
    const error = new NotReadyError({
      store: { status: 'up', head: 3 },
      readModels: { status: 'down', reason: 'failing: case' },
    });
    expect(error).toMatchObject({
      status: 503,
      code: 'SERVICE.NOT_READY',
      message: 'The service is not ready: readModels (failing: case)',
    });
    expect(error.details).toEqual({
      checks: { store: { status: 'up', head: 3 }, readModels: { status: 'down', reason: 'failing: case' } },
    });
  });
});
