import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createDefaultPolicy, evolve, replayUnderPolicy, type CaseFacts, type CaseState, type OpenedCase } from '@cases/domain';
import { SqliteEventStore, type EventStore } from '@cases/event-store';
import { TIMELINESS_ORG_ID, TimelinessLogGenerator } from '../../../../../bench/case-log-generator';
import { FactsSnapshots } from './facts-snapshots';
import { replayFacts } from './facts-replay';

/**
 * The bounded-memory replay and the snapshots against a realistic log (the benchmarks' generator:
 * cases through the whole closed loop, many in flight at once, reopened and re-examined ones
 * included): however few states it may hold, and from whatever snapshot it starts, it gives the
 * facts a replay holding every case gives.
 */
describe('replayFacts', () => {
  let dir: string;
  let store: SqliteEventStore;
  let head: bigint;

  const byCase = (facts: Map<string, CaseFacts>): Record<string, CaseFacts> =>
    Object.fromEntries([...facts].sort(([a], [b]) => (a < b ? -1 : 1)));

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'facts-replay-'));
    store = SqliteEventStore.open(join(dir, 'events.db'));
    await new TimelinessLogGenerator(store, { appendsPerWave: 200 }).generate(4_000);
    head = await store.headPosition();
  });

  afterAll(async () => {
    await store?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  interface Options {
    maxStates?: number;
    facts?: Map<string, CaseFacts>;
    states?: Map<string, CaseState>;
    /** Another view of the store (one that counts its reads). */
    from?: EventStore;
  }

  function replay(after: bigint, upTo: bigint, options: Options = {}) {
    const { from = store, ...rest } = options;
    return replayFacts(from, { after, upTo, orgId: TIMELINESS_ORG_ID, fold: evolve, facts: options.facts ?? new Map(), ...rest });
  }

  /** The store, counting the case streams read: each is a case folded again from its events. */
  function countingStreamReads(): { store: EventStore; streamsRead: () => number } {
    let streamsRead = 0;
    const counting = Object.create(store) as EventStore;
    counting.readStream = (...args) => {
      streamsRead += 1;
      return store.readStream(...args);
    };
    return { store: counting, streamsRead: () => streamsRead };
  }

  const opened = (states: Map<string, CaseState>): OpenedCase[] =>
    [...states.values()].filter((state): state is OpenedCase => state.status !== 'none');

  it('gives the same facts holding one case state at a time as holding them all', async () => {
    const all = await replay(0n, head, { maxStates: Number.MAX_SAFE_INTEGER });
    expect(all.size).toBeGreaterThan(300);
    expect(byCase(await replay(0n, head, { maxStates: 1 }))).toEqual(byCase(all));
  });

  it('gives the same facts at a position from a snapshot before it as from position 0, the snapshot written and read back', async () => {
    const snapshotAt = head / 3n;
    const position = (head * 2n) / 3n;
    const snapshots = new FactsSnapshots(dir, TIMELINESS_ORG_ID);
    await snapshots.save(snapshotAt, 1, [...(await replay(0n, snapshotAt)).values()]);
    const snapshot = await snapshots.nearest(position, 1);
    expect(snapshot?.position).toBe(snapshotAt);
    const base = new Map<string, CaseFacts>();
    for await (const facts of snapshots.read(snapshot!)) base.set(facts.caseId, facts);
    const fromSnapshot = await replay(snapshotAt, position, { facts: base, maxStates: 50 });
    expect(byCase(fromSnapshot)).toEqual(byCase(await replay(0n, position)));
    // Another generation's snapshots are not offered.
    expect(await snapshots.nearest(position, 2)).toBeUndefined();
  });

  it('goes on from the in-flight states a snapshot holds: the same facts, and those cases are not folded from their streams again', async () => {
    const snapshotAt = head / 3n;
    const position = (head * 2n) / 3n;
    const snapshots = new FactsSnapshots(join(dir, 'with-states'), TIMELINESS_ORG_ID);
    const held = new Map<string, CaseState>();
    const atSnapshot = await replay(0n, snapshotAt, { states: held, maxStates: Number.MAX_SAFE_INTEGER });
    // The replay hands back the states of the cases in flight where it stopped.
    expect(held.size).toBeGreaterThan(20);
    const saved = await snapshots.save(snapshotAt, 1, [...atSnapshot.values()], opened(held));
    const fromZero = byCase(await replay(0n, position));

    const withStates = await snapshots.load(saved);
    expect(withStates.states.size).toBe(held.size);
    expect(Object.fromEntries(withStates.states)).toEqual(Object.fromEntries(held));
    const counted = countingStreamReads();
    const fromStates = await replay(snapshotAt, position, { facts: withStates.facts, states: withStates.states, from: counted.store });
    expect(byCase(fromStates)).toEqual(fromZero);

    const factsOnly = new Map<string, CaseFacts>();
    for await (const facts of snapshots.read(saved)) factsOnly.set(facts.caseId, facts);
    expect(factsOnly).toEqual((await snapshots.load(saved)).facts);
    const countedWithout = countingStreamReads();
    expect(byCase(await replay(snapshotAt, position, { facts: factsOnly, from: countedWithout.store }))).toEqual(fromZero);
    expect(counted.streamsRead()).toBeLessThan(countedWithout.streamsRead() / 2);

    // Holding fewer states than the snapshot brings changes nothing but speed.
    const again = await snapshots.load(saved);
    expect(byCase(await replay(snapshotAt, position, { facts: again.facts, states: again.states, maxStates: 5 }))).toEqual(fromZero);
  });

  it('still reads a snapshot of format 1 (facts only), and refuses one of an unknown format', async () => {
    const snapshotAt = head / 2n;
    const snapshots = new FactsSnapshots(join(dir, 'format-1'), TIMELINESS_ORG_ID);
    const facts = [...(await replay(0n, snapshotAt)).values()];
    const saved = await snapshots.save(snapshotAt, 1, facts);
    const header = { format: 1, orgId: TIMELINESS_ORG_ID, generation: 1, position: snapshotAt.toString(), cases: facts.length };
    writeFileSync(saved.file, [header, ...facts].map((line) => `${JSON.stringify(line)}\n`).join(''));
    const loaded = await snapshots.load(saved);
    expect(loaded.states.size).toBe(0);
    expect(byCase(loaded.facts)).toEqual(byCase(new Map(facts.map((one) => [one.caseId, one]))));
    writeFileSync(saved.file, [{ ...header, format: 99 }, ...facts].map((line) => `${JSON.stringify(line)}\n`).join(''));
    await expect(snapshots.load(saved)).rejects.toThrow(/is not a timeliness snapshot/);
  });

  it('replays under another policy the same way, whatever it may hold', async () => {
    const fold = replayUnderPolicy(createDefaultPolicy());
    const whatIf = (maxStates: number) =>
      replayFacts(store, { after: 0n, upTo: head, orgId: TIMELINESS_ORG_ID, fold, facts: new Map(), maxStates });
    expect(byCase(await whatIf(1))).toEqual(byCase(await whatIf(Number.MAX_SAFE_INTEGER)));
  });
});
