import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteEventStore, WrongExpectedVersionError, type EventStore } from '@cases/event-store';
import { CaseNumberAllocator, type NumberReservation } from './case-number.allocator';

/**
 * The allocator against a real store: numbers handed out ahead of the store must end up taken in
 * order with no gap, whatever order their appends arrive in, and across instances.
 */

const AT = new Date('2026-03-02T02:00:00Z');

async function append(store: EventStore, reservation: NumberReservation): Promise<'taken' | WrongExpectedVersionError> {
  try {
    await store.appendMultiple([reservation.append]);
    return 'taken';
  } catch (error) {
    if (error instanceof WrongExpectedVersionError) return error;
    throw error;
  }
}

/** Appends until the number lands, as the intake handler does; answers the number taken. */
async function land(store: EventStore, allocator: CaseNumberAllocator, first: NumberReservation): Promise<string> {
  let reservation = first;
  for (let attempt = 1; attempt <= 20; attempt++) {
    const outcome = await append(store, reservation);
    if (outcome === 'taken') {
      allocator.taken(reservation);
      return reservation.number;
    }
    reservation = await allocator.conflicted(reservation, outcome);
  }
  throw new Error(`${first.number} never landed`);
}

describe('CaseNumberAllocator', () => {
  let dir: string;
  let store: SqliteEventStore;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'case-numbers-'));
    store = SqliteEventStore.open(join(dir, 'events.db'));
  });

  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('a number whose append overtakes the numbers before it waits for them and keeps its number', async () => {
    const allocator = new CaseNumberAllocator(store);
    const [first, second, third] = [
      await allocator.reserve('org', 'petition', AT, 'case-1'),
      await allocator.reserve('org', 'petition', AT, 'case-2'),
      await allocator.reserve('org', 'petition', AT, 'case-3'),
    ];
    const thirdLanded = land(store, allocator, third);
    const earlier = await Promise.all([land(store, allocator, second), land(store, allocator, first)]);

    expect(earlier).toEqual(['XF2026-0002', 'XF2026-0001']);
    expect(await thirdLanded).toBe('XF2026-0003');
  });

  it('a number its intake did not use is handed out again, so the sequence has no gap', async () => {
    const allocator = new CaseNumberAllocator(store);
    const unused = await allocator.reserve('org', 'petition', AT, 'case-1');
    const next = await allocator.reserve('org', 'petition', AT, 'case-2');
    allocator.unused(unused);

    expect(await land(store, allocator, next)).toBe('XF2026-0001');
    expect(await land(store, allocator, await allocator.reserve('org', 'petition', AT, 'case-3'))).toBe('XF2026-0002');
  });

  it('two instances on one store take every number once', async () => {
    const [a, b] = [new CaseNumberAllocator(store), new CaseNumberAllocator(store)];
    const taken = await Promise.all(
      Array.from({ length: 12 }, async (_, index) => {
        const allocator = index % 2 === 0 ? a : b;
        return land(store, allocator, await allocator.reserve('org', 'dispute', AT, `case-${index}`));
      }),
    );

    expect([...taken].sort()).toEqual(Array.from({ length: 12 }, (_, index) => `JF2026-${String(index + 1).padStart(4, '0')}`));
  });
});
