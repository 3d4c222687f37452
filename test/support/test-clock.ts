/**
 * A clock the tests move by hand, injected into `createApp({ clock })`: the service's `recordedAt`,
 * its deadline judgements (pending/overdue) and its back-dating window all read it, so every
 * deadline and time in a response is known in advance.
 */
export class TestClock {
  private current: number;

  constructor(start: string) {
    this.current = TestClock.parse(start);
  }

  now(): Date {
    return new Date(this.current);
  }

  /** Sets the clock to an instant given with an explicit offset, e.g. 2026-03-02T09:00:00+08:00. */
  set(instant: string): Date {
    this.current = TestClock.parse(instant);
    return this.now();
  }

  advance(by: { days?: number; hours?: number; minutes?: number; seconds?: number }): Date {
    this.current += (by.days ?? 0) * 86_400_000 + (by.hours ?? 0) * 3_600_000 + (by.minutes ?? 0) * 60_000 + (by.seconds ?? 0) * 1000;
    return this.now();
  }

  /** The current instant as the service writes it (UTC ISO-8601 with milliseconds). */
  iso(): string {
    return this.now().toISOString();
  }

  private static parse(instant: string): number {
    const millis = Date.parse(instant);
    if (Number.isNaN(millis)) throw new Error(`TestClock: not an instant: ${instant}`);
    return millis;
  }
}

/** `2026-03-02T09:00:00+08:00` → `2026-03-02T01:00:00.000Z`: how the service writes an instant. */
export function utc(instant: string): string {
  return new Date(instant).toISOString();
}
