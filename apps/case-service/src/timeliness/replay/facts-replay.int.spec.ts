import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createDefaultPolicy, evolve, replayUnderPolicy, type CaseFacts } from '@cases/domain';
import { SqliteEventStore } from '@cases/event-store';
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

  function replay(after: bigint, upTo: bigint, options: { maxStates?: number; facts?: Map<string, CaseFacts> } = {}) {
    return replayFacts(store, { after, upTo, orgId: TIMELINESS_ORG_ID, fold: evolve, facts: options.facts ?? new Map(), ...options });
  }

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

  it('replays under another policy the same way, whatever it may hold', async () => {
    const fold = replayUnderPolicy(createDefaultPolicy());
    const whatIf = (maxStates: number) =>
      replayFacts(store, { after: 0n, upTo: head, orgId: TIMELINESS_ORG_ID, fold, facts: new Map(), maxStates });
    expect(byCase(await whatIf(1))).toEqual(byCase(await whatIf(Number.MAX_SAFE_INTEGER)));
  });
});
