import type { TestActor } from './test-app';

/** One expected history entry: the step, who took it, and when (business time = server time unless given). */
export interface ExpectedStep {
  type: string;
  command: string;
  actor: TestActor;
  /** Business time; also the recorded time unless `recordedAt` is given. */
  at: string;
  recordedAt?: string;
  reason?: string;
}

export function step(type: string, command: string, actor: TestActor, at: string, extra: Partial<ExpectedStep> = {}): ExpectedStep {
  return { type, command, actor, at, ...extra };
}

/**
 * The history reduced to what SPEC §2 says every event records (who, when twice, which command,
 * why), compared in order with the expected steps; revisions must run 0, 1, 2…
 */
export function expectHistory(events: any[], expected: ExpectedStep[]): void {
  const actual = events.map((event) => ({
    revision: event.revision,
    type: event.type,
    command: event.command,
    actor: event.actor,
    occurredAt: event.occurredAt,
    recordedAt: event.recordedAt,
    ...(event.reason !== undefined ? { reason: event.reason } : {}),
  }));
  const wanted = expected.map((entry, index) => ({
    revision: index,
    type: entry.type,
    command: entry.command,
    actor: { id: entry.actor.id, role: entry.actor.role, ...(entry.actor.unit !== undefined ? { unit: entry.actor.unit } : {}) },
    occurredAt: new Date(entry.at).toISOString(),
    recordedAt: new Date(entry.recordedAt ?? entry.at).toISOString(),
    ...(entry.reason !== undefined ? { reason: entry.reason } : {}),
  }));
  expect(actual).toEqual(wanted);
  for (const event of events) {
    expect(event.correlationId).toEqual(expect.stringMatching(/\S/));
    expect(typeof event.position).toBe('number');
  }
  const positions = events.map((event) => event.position);
  expect([...positions].sort((a, b) => a - b)).toEqual(positions);
}
