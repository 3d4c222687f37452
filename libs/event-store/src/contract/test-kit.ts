import { randomUUID } from 'node:crypto';
import type { EventData, RecordedEvent } from '../event-store.port';

/** Settles like `promise`, or rejects naming `what` once `ms` have passed: tests wait on outcomes, never on sleeps. */
export async function withTimeout<T>(promise: Promise<T>, what: string, ms = 5000): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`Timed out after ${ms} ms waiting for ${what}`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** A stream id no other test (or test run, on a shared server) uses. */
export function uniqueStreamId(): string {
  return `contract-${randomUUID()}`;
}

export function testEvent(overrides: Partial<EventData> = {}): EventData {
  return { id: randomUUID(), type: 'ContractTested', data: { n: 1 }, personal: null, metadata: {}, ...overrides };
}

export function testEvents(count: number): EventData[] {
  return Array.from({ length: count }, (_, n) => testEvent({ data: { n } }));
}

/**
 * A subscription handler that records every batch and lets a test wait for a condition on the
 * events it cares about (`isOurs`), so tests on a shared server ignore everyone else's events.
 */
export class EventCollector {
  readonly batches: RecordedEvent[][] = [];
  private readonly waiters = new Set<() => void>();

  constructor(private readonly isOurs: (event: RecordedEvent) => boolean) {}

  readonly handle = (batch: RecordedEvent[]): void => {
    this.batches.push(batch);
    for (const check of [...this.waiters]) check();
  };

  get ours(): RecordedEvent[] {
    return this.batches.flat().filter(this.isOurs);
  }

  get ourIds(): string[] {
    return this.ours.map((event) => event.id);
  }

  until(condition: (ours: RecordedEvent[]) => boolean, what: string): Promise<void> {
    const reached = new Promise<void>((resolve) => {
      const check = () => {
        if (!condition(this.ours)) return;
        this.waiters.delete(check);
        resolve();
      };
      this.waiters.add(check);
      check();
    });
    return withTimeout(reached, what);
  }

  untilDelivered(eventId: string): Promise<void> {
    return this.until((ours) => ours.some((event) => event.id === eventId), `event ${eventId} to be delivered`);
  }
}
