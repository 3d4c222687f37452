import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteEventStore, type RecordedEvent } from '@cases/event-store';
import { ChildService } from './support/child-service';

/**
 * SPEC §8: a command answered 2xx is durable, and the read models, fed from the log with their
 * checkpoint in the same transaction, never skip or double-apply an event, whatever moment the
 * process dies at. The real service runs as a child process and is killed with SIGKILL (no
 * shutdown hook runs) while concurrent clients have requests in flight, twice in a row.
 */

const CLIENTS = 20;
/** The kill comes after this many 2xx answers in a round: a few hundred commands into the load. */
const ACKNOWLEDGED_BEFORE_KILL = 400;
const ROUNDS = 2;
/** Each client follows an intake with this many progress commands on random acknowledged cases. */
const PROGRESS_PER_INTAKE = 2;
const REQUEST_TIMEOUT_MS = 10_000;
const CATCH_UP_TIMEOUT_MS = 30_000;
const PAGE_SIZE = 100;
const READ_ALL_PAGE = 10_000;
/** Case streams are `case-<uuid>`. */
const CASE_STREAM = /^case-([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/;

interface AcknowledgedIntake {
  caseId: string;
  number: string;
  revision: number;
  platformTicketNo: string;
}

interface AcknowledgedProgress {
  caseId: string;
  revision: number;
  /** Unique per command, so the event can be found by content as well as by revision. */
  text: string;
}

/** Every command the service answered 2xx, across all rounds: each must survive every crash. */
interface Ledger {
  intakes: AcknowledgedIntake[];
  progress: AcknowledgedProgress[];
}

interface LoadReport {
  acknowledged: number;
  /** Requests sent and not yet answered when SIGKILL was sent: the crash really hit mid-request. */
  inFlightAtKill: number;
  /** Any HTTP answer other than the expected 201/200 (none are expected: tickets are unique). */
  unexpectedAnswers: string[];
}

interface HistoryEntry {
  revision: number;
  position: number;
  type: string;
  data: Record<string, unknown>;
}

interface ListedCase {
  id: string;
  number: string;
  revision: number;
}

/** What the restarted service answers through its API: the read models. */
interface ReadModelSnapshot {
  total: number;
  cases: Map<string, ListedCase>;
  histories: Map<string, HistoryEntry[]>;
}

type Answer = { status: number; body: Record<string, unknown> };

describe('crash recovery (SIGKILL under load)', () => {
  let dataDir: string;
  let service: ChildService | undefined;

  beforeAll(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'crash-recovery-'));
  });

  afterAll(async () => {
    await service?.kill();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('keeps every acknowledged command and catches the read models up exactly, across two kills in a row', async () => {
    const ledger: Ledger = { intakes: [], progress: [] };
    service = await ChildService.start({ dataDir });

    for (let round = 1; round <= ROUNDS; round++) {
      const load = await runLoadUntilKilled(service, round, ledger);
      expect(load.unexpectedAnswers).toEqual([]);
      expect(load.inFlightAtKill).toBeGreaterThan(0);
      expect((await service.exited).signal).toBe('SIGKILL');

      service = await ChildService.start({ dataDir });
      await service.waitUntilReadModelsCaughtUp(CATCH_UP_TIMEOUT_MS);
      const snapshot = await readModelSnapshot(service);
      expectAcknowledgedCommandsIn(snapshot.histories, ledger);
      expectConsistentReadModels(snapshot);
    }

    const snapshot = await readModelSnapshot(service);
    await service.stop();
    const streams = await caseStreamsInLog(join(dataDir, 'events.db'));
    expectAcknowledgedCommandsIn(logAsHistories(streams), ledger);
    expectReadModelsMatchLog(snapshot, streams);
  }, 180_000);
});

/**
 * Runs CLIENTS concurrent clients (intake, then progress commands) against `service`, records
 * every 2xx answer in `ledger`, and sends SIGKILL once ACKNOWLEDGED_BEFORE_KILL answers of this
 * round arrived (or at the first unexpected answer). Resolves when every client has seen the
 * service go away.
 */
async function runLoadUntilKilled(service: ChildService, round: number, ledger: Ledger): Promise<LoadReport> {
  const report: LoadReport = { acknowledged: 0, inFlightAtKill: 0, unexpectedAnswers: [] };
  let inFlight = 0;
  let killSent = false;

  const kill = (): void => {
    if (killSent) return;
    report.inFlightAtKill = inFlight;
    killSent = true;
    void service.kill();
  };

  const acknowledge = (): void => {
    report.acknowledged += 1;
    if (report.acknowledged === ACKNOWLEDGED_BEFORE_KILL) kill();
  };

  /** The answer, or null for a request the kill cut off: its outcome is unknown by design. */
  const post = async (path: string, body: object): Promise<Answer | null> => {
    inFlight += 1;
    try {
      const response = await fetch(`${service.url}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...service.authorization },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
      });
      return { status: response.status, body: (await response.json()) as Record<string, unknown> };
    } catch (error) {
      if (killSent) return null;
      throw error;
    } finally {
      inFlight -= 1;
    }
  };

  // Ends the round at once: the test fails on the answer, rather than loading a service that refuses commands.
  const unexpected = (path: string, answer: Answer): void => {
    report.unexpectedAnswers.push(`${path} → ${answer.status} ${JSON.stringify(answer.body)}`);
    kill();
  };

  const client = async (clientIndex: number): Promise<void> => {
    for (let sequence = 0; ; sequence++) {
      const platformTicketNo = `CRASH-${round}-${clientIndex}-${sequence}`;
      const intake = await post('/api/hotline-tickets', {
        platformTicketNo,
        title: `崩溃恢复 ${platformTicketNo}`,
        description: '路灯不亮',
        community: '雁塔社区',
        urgency: 'normal',
      });
      if (intake === null) return;
      if (intake.status !== 201) unexpected('/api/hotline-tickets', intake);
      else {
        const { id, number, revision } = intake.body as { id: string; number: string; revision: number };
        ledger.intakes.push({ caseId: id, number, revision, platformTicketNo });
        acknowledge();
      }

      for (let step = 0; step < PROGRESS_PER_INTAKE; step++) {
        // Any acknowledged case, from this round or an earlier one: several clients may hit the
        // same case at once, which the server must retry rather than lose.
        const target = ledger.intakes[Math.floor(Math.random() * ledger.intakes.length)];
        if (target === undefined) break;
        const text = `进展 round ${round} client ${clientIndex} #${sequence}.${step}`;
        const path = `/api/cases/${target.caseId}/progress`;
        const progress = await post(path, { text });
        if (progress === null) return;
        if (progress.status !== 200) unexpected(path, progress);
        else {
          ledger.progress.push({ caseId: target.caseId, revision: progress.body.revision as number, text });
          acknowledge();
        }
      }
    }
  };

  await Promise.all(Array.from({ length: CLIENTS }, (_, index) => client(index)));
  await service.exited;
  return report;
}

async function getJson<T>(service: ChildService, path: string): Promise<T> {
  const response = await fetch(`${service.url}${path}`, {
    headers: service.authorization,
    signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
  });
  if (response.status !== 200) throw new Error(`GET ${path} answered ${response.status}: ${await response.text()}`);
  return (await response.json()) as T;
}

/** Every case the list shows (all pages) and every listed case's history, through the API. */
async function readModelSnapshot(service: ChildService): Promise<ReadModelSnapshot> {
  const cases = new Map<string, ListedCase>();
  let total = 0;
  for (let page = 1; ; page++) {
    const listed = await getJson<{ items: ListedCase[]; total: number }>(service, `/api/cases?page=${page}&pageSize=${PAGE_SIZE}`);
    total = listed.total;
    for (const item of listed.items) cases.set(item.id, { id: item.id, number: item.number, revision: item.revision });
    if (listed.items.length < PAGE_SIZE) break;
  }
  const histories = new Map<string, HistoryEntry[]>();
  for (const caseId of cases.keys()) histories.set(caseId, await historyOf(service, caseId));
  return { total, cases, histories };
}

/** The case's history; empty when the history read model has no event of it (404), so the comparison shows the gap. */
async function historyOf(service: ChildService, caseId: string): Promise<HistoryEntry[]> {
  const path = `/api/cases/${caseId}/history`;
  const response = await fetch(`${service.url}${path}`, {
    headers: service.authorization,
    signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
  });
  if (response.status === 404) return [];
  if (response.status !== 200) throw new Error(`GET ${path} answered ${response.status}: ${await response.text()}`);
  return ((await response.json()) as { events: HistoryEntry[] }).events;
}

/**
 * Each acknowledged intake opened its case with the acknowledged number and the case reached at
 * least the acknowledged revision; each acknowledged progress is the event at its revision.
 */
function expectAcknowledgedCommandsIn(histories: Map<string, HistoryEntry[]>, ledger: Ledger): void {
  const missing: string[] = [];
  for (const intake of ledger.intakes) {
    const history = histories.get(intake.caseId) ?? [];
    const opened = history[0];
    if (
      history.length <= intake.revision ||
      opened?.type !== 'HotlineTicketReceived' ||
      opened.data.number !== intake.number ||
      opened.data.platformTicketNo !== intake.platformTicketNo
    ) {
      missing.push(
        `intake ${intake.platformTicketNo} (${intake.caseId} revision ${intake.revision}): ${history.length} events, first ${JSON.stringify(opened)}`,
      );
    }
  }
  for (const progress of ledger.progress) {
    const recorded = histories.get(progress.caseId)?.[progress.revision];
    if (recorded?.type !== 'ProgressRecorded' || recorded.data.text !== progress.text) {
      missing.push(`progress '${progress.text}' (${progress.caseId} revision ${progress.revision}): found ${JSON.stringify(recorded)}`);
    }
  }
  expect(missing).toEqual([]);
}

/** The list and the histories agree with each other: every history is gap-free from revision 0, and numbers are unique. */
function expectConsistentReadModels(snapshot: ReadModelSnapshot): void {
  expect(snapshot.cases.size).toBe(snapshot.total);
  for (const [caseId, listed] of snapshot.cases) {
    const history = snapshot.histories.get(caseId) ?? [];
    expect({ caseId, revisions: history.map((entry) => entry.revision) }).toEqual({
      caseId,
      revisions: Array.from({ length: listed.revision + 1 }, (_, revision) => revision),
    });
  }
  const numbers = [...snapshot.cases.values()].map((listed) => listed.number);
  expect(new Set(numbers).size).toBe(numbers.length);
}

/** Every case stream of the log, read straight from the store's file, by case id. */
async function caseStreamsInLog(file: string): Promise<Map<string, RecordedEvent[]>> {
  const store = SqliteEventStore.open(file);
  try {
    const streams = new Map<string, RecordedEvent[]>();
    for (let after = 0n; ;) {
      const events = await store.readAll({ after, maxCount: READ_ALL_PAGE });
      if (events.length === 0) return streams;
      for (const event of events) {
        const caseId = CASE_STREAM.exec(event.streamId)?.[1];
        if (caseId === undefined) continue;
        const stream = streams.get(caseId) ?? [];
        stream.push(event);
        streams.set(caseId, stream);
      }
      after = events[events.length - 1].position;
    }
  } finally {
    await store.close();
  }
}

function logAsHistories(streams: Map<string, RecordedEvent[]>): Map<string, HistoryEntry[]> {
  return new Map(
    [...streams].map(([caseId, events]) => [
      caseId,
      events.map((event) => ({
        revision: Number(event.revision),
        position: Number(event.position),
        type: event.type,
        data: event.data as Record<string, unknown>,
      })),
    ]),
  );
}

/**
 * The read models hold exactly the log: the same cases, and each case's history is its stream,
 * event for event (same positions: no gap, no event applied twice). Case numbers are unique in the log.
 */
function expectReadModelsMatchLog(snapshot: ReadModelSnapshot, streams: Map<string, RecordedEvent[]>): void {
  expect(snapshot.total).toBe(streams.size);
  expect([...snapshot.cases.keys()].sort()).toEqual([...streams.keys()].sort());
  for (const [caseId, events] of streams) {
    const history = snapshot.histories.get(caseId) ?? [];
    expect({ caseId, length: history.length, positions: history.map((entry) => entry.position) }).toEqual({
      caseId,
      length: events.length,
      positions: events.map((event) => Number(event.position)),
    });
  }
  const numbers = [...streams.values()].map((events) => (events[0].data as { number: string }).number);
  expect(new Set(numbers).size).toBe(numbers.length);
}
