import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { SqliteEventStore } from '../sqlite/sqlite-event-store';
import { testEvents, uniqueStreamId } from '../contract/test-kit';
import { HashChainedEventStore } from './hash-chained-event-store';

describe('hash-chained streams', () => {
  let dir: string;
  let file: string;
  let store: HashChainedEventStore;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'hash-chain-'));
    file = join(dir, 'events.db');
    store = new HashChainedEventStore(SqliteEventStore.open(file));
  });
  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  async function appendThreeStreams(): Promise<string[]> {
    const streams = [uniqueStreamId(), uniqueStreamId(), uniqueStreamId()];
    for (const stream of streams) {
      const first = await store.append(stream, testEvents(2), 'no_stream');
      await store.append(stream, testEvents(1), first.nextExpectedRevision);
      await store.append(stream, testEvents(1), 'any');
    }
    return streams;
  }

  /** Changes the stored log behind the service's back, as someone with the database file could. */
  function tamper(sql: string, ...parameters: unknown[]): void {
    const db = new Database(file);
    try {
      expect(db.prepare(sql).run(...parameters).changes).toBe(1);
    } finally {
      db.close();
    }
  }

  it('an untouched log verifies intact', async () => {
    await appendThreeStreams();
    expect(await store.verifyChain()).toEqual({ events: 12, problems: [] });
  });

  it('names the event whose content was altered in the database', async () => {
    const [, altered] = await appendThreeStreams();
    tamper(`UPDATE events SET data = json_set(data, '$.index', 99) WHERE stream_id = ? AND revision = 2`, altered);

    const { problems } = await store.verifyChain();

    expect(problems).toEqual([expect.stringMatching(new RegExp(`^stream ${altered} revision 2 .*: its content does not match its hash$`))]);
  });

  it('names the event after one that was removed, and the hash of one rewritten to match', async () => {
    const [removed, rehashed] = await appendThreeStreams();
    tamper('DELETE FROM events WHERE stream_id = ? AND revision = 1', removed);
    // A forger who recomputes the altered event's own hash still breaks the link of the next one.
    const [event] = await store.readStream(rehashed, { fromRevision: 1n, maxCount: 1 });
    tamper(`UPDATE events SET metadata = json_set(metadata, '$.hash', ?) WHERE stream_id = ? AND revision = 1`, 'f'.repeat(64), rehashed);

    const { problems } = await store.verifyChain();

    expect(problems).toEqual([
      expect.stringMatching(new RegExp(`^stream ${removed} revision 2 .*: does not link to its predecessor$`)),
      expect.stringMatching(new RegExp(`^stream ${rehashed} revision 1 .*event ${event.id}\\): its content does not match its hash$`)),
      expect.stringMatching(new RegExp(`^stream ${rehashed} revision 2 .*: does not link to its predecessor$`)),
    ]);
  });
});
