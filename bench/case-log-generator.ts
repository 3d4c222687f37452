import { randomUUID } from 'node:crypto';
import {
  ConfiguredDeadlinePolicy,
  DEFAULT_POLICY_CONFIG,
  createBusinessCalendar,
  decide,
  decideIntake,
  encodeCaseEvent,
  evolve,
  formatCaseNumber,
  INITIAL_CASE_STATE,
  type Actor,
  type CaseEvent,
  type CaseKind,
  type CaseState,
  type DecisionContext,
  type IntakeCommand,
  type LifecycleCommand,
} from '@cases/domain';
import type { EventData, EventStore, ExpectedRevision } from '@cases/event-store';

/**
 * Writes a realistic event log for benchmarks: cases taken through the whole closed loop (intake,
 * deadlines, dispatch, sign, progress, resolve, review, close) by the domain's own deciders, so
 * every event, deadline and metadata field is what the service would store, plus the
 * `CaseNumberAllocated` counter event the service appends before each intake.
 *
 * Many cases advance at once and each wave of steps is appended concurrently, so the store
 * group-commits them; the number of cases in flight also sets how far apart one case's events
 * lie in the global log, which is what a projection rebuild pays for.
 */

const ORG_ID = 'bench-org';
const YEAR = 2025;
const FIRST_INTAKE_MS = Date.parse(`${YEAR}-01-02T01:00:00.000Z`);
const MINUTE_MS = 60_000;
const HOUR_MS = 60 * MINUTE_MS;
const DESK: Actor = { id: 'desk-1', role: 'desk' };
const UNITS = ['城管执法中队', '雁塔社区', '小寨社区', '市政所', '等驾坡社区'];
const COMMUNITIES = ['雁塔社区', '小寨社区', '等驾坡社区', '电子城社区'];
/** Mostly 12345 tickets, as at a sub-district centre; petitions and disputes take the longer path through acceptance. */
const KIND_MIX: readonly CaseKind[] = ['hotline', 'hotline', 'hotline', 'petition', 'dispute'];
/** Events one case adds to the log, its case-number counter event included. */
const EVENTS_PER_CASE: Record<CaseKind, number> = { hotline: 11, petition: 11, dispute: 10 };

export interface GeneratedLog {
  events: number;
  cases: number;
  elapsedMs: number;
}

interface Step {
  actor: Actor;
  command: LifecycleCommand;
}

interface CaseInProgress {
  index: number;
  caseId: string;
  kind: CaseKind;
  state: CaseState;
  expectedRevision: ExpectedRevision;
  /** Business time of the case's latest step (ms); each step happens some hours after the previous one. */
  clockMs: number;
  /** The lifecycle commands still to run once the case is registered. */
  steps: Step[];
}

export class CaseLogGenerator {
  private readonly policy = new ConfiguredDeadlinePolicy(DEFAULT_POLICY_CONFIG, createBusinessCalendar());
  private readonly counterRevisions = new Map<string, bigint>();
  private casesStarted = 0;
  private eventsPlanned = 0;
  private eventsAppended = 0;

  constructor(
    private readonly store: EventStore,
    private readonly casesInFlight: number,
  ) {}

  /** Appends cases until about `targetEvents` events are in the log (the last cases finish their loop). */
  async generate(targetEvents: number): Promise<GeneratedLog> {
    const started = performance.now();
    let active: CaseInProgress[] = [];
    const refill = (): void => {
      while (active.length < this.casesInFlight && this.eventsPlanned < targetEvents) active.push(this.startCase());
    };
    refill();
    while (active.length > 0) {
      // One step of every case in flight, appended without waiting for each other: one group commit covers many.
      await Promise.all(active.map((inProgress) => this.advance(inProgress)));
      active = active.filter((inProgress) => inProgress.steps.length > 0);
      refill();
    }
    return { events: this.eventsAppended, cases: this.casesStarted, elapsedMs: performance.now() - started };
  }

  private startCase(): CaseInProgress {
    const index = this.casesStarted++;
    const kind = KIND_MIX[index % KIND_MIX.length];
    this.eventsPlanned += EVENTS_PER_CASE[kind];
    return {
      index,
      caseId: randomUUID(),
      kind,
      state: INITIAL_CASE_STATE,
      expectedRevision: 'no_stream',
      clockMs: FIRST_INTAKE_MS + index * 3 * MINUTE_MS,
      steps: lifecycleSteps(kind, UNITS[index % UNITS.length]),
    };
  }

  /** Registers the case or runs its next lifecycle command, as the service's pipeline would, and appends the events. */
  private async advance(inProgress: CaseInProgress): Promise<void> {
    const registered = inProgress.state.status !== 'none';
    if (registered) inProgress.clockMs += (1 + ((inProgress.index * 7 + inProgress.steps.length * 13) % 20)) * HOUR_MS;
    const at = new Date(inProgress.clockMs);
    const actor = registered ? inProgress.steps[0].actor : DESK;
    const context: DecisionContext = {
      actor,
      recordedAt: at,
      occurredAt: at,
      backdatingWindowMs: 7 * 24 * HOUR_MS,
      policy: this.policy,
      newId: randomUUID,
    };
    let numberAllocated: Promise<unknown> = Promise.resolve();
    let command: string;
    let events: CaseEvent[];
    if (registered) {
      const step = inProgress.steps.shift() as Step;
      command = step.command.type;
      events = decide(step.command, inProgress.state, context);
    } else {
      const allocation = this.allocateNumber(inProgress);
      numberAllocated = allocation.appended;
      command = 'intake';
      events = decideIntake(intakeCommand(inProgress, allocation.number), inProgress.state, context);
    }
    const correlationId = randomUUID();
    const stored: EventData[] = events.map((event) => {
      const encoded = encodeCaseEvent(event, {
        orgId: ORG_ID,
        caseId: inProgress.caseId,
        command,
        recordedAt: at.toISOString(),
        correlationId,
        causationId: null,
      });
      return { id: randomUUID(), ...encoded, metadata: { ...encoded.metadata } };
    });
    const [result] = await Promise.all([
      this.store.append(`case-${inProgress.caseId}`, stored, inProgress.expectedRevision),
      numberAllocated,
    ]);
    inProgress.expectedRevision = result.nextExpectedRevision;
    inProgress.state = events.reduce(evolve, inProgress.state);
    this.eventsAppended += stored.length;
  }

  /**
   * The service allocates a number before each intake: one event in the kind's counter stream,
   * appended with the exact revision. Queued before the intake's own append, so it is committed
   * in the same group commit or an earlier one.
   */
  private allocateNumber(inProgress: CaseInProgress): { number: string; appended: Promise<unknown> } {
    const streamId = `case-numbers-${ORG_ID}-${inProgress.kind}-${YEAR}`;
    const previous = this.counterRevisions.get(streamId);
    const revision = previous === undefined ? 0n : previous + 1n;
    this.counterRevisions.set(streamId, revision);
    const sequence = Number(revision) + 1;
    const appended = this.store
      .append(
        streamId,
        [
          {
            id: randomUUID(),
            type: 'CaseNumberAllocated',
            data: { sequence, caseId: inProgress.caseId },
            personal: null,
            metadata: { orgId: ORG_ID, kind: inProgress.kind, year: YEAR },
          },
        ],
        previous === undefined ? 'no_stream' : previous,
      )
      .then(() => (this.eventsAppended += 1));
    return { number: formatCaseNumber(inProgress.kind, YEAR, sequence), appended };
  }
}

function intakeCommand({ index, kind, caseId }: CaseInProgress, number: string): IntakeCommand {
  const common = {
    caseId,
    orgId: ORG_ID,
    number,
    title: `事项 ${index + 1}：小区路灯不亮`,
    description: '小寨路口路灯损坏，夜间行人不便，请尽快维修',
    community: COMMUNITIES[index % COMMUNITIES.length],
  };
  switch (kind) {
    case 'hotline':
      return {
        ...common,
        type: 'receive-hotline-ticket',
        platformTicketNo: `GD${YEAR}-${String(index + 1).padStart(8, '0')}`,
        urgency: index % 10 === 0 ? 'urgent' : 'normal',
        caller: { name: '李四', phone: '13900005678' },
      };
    case 'petition':
      return { ...common, type: 'register-petition', channel: 'visit', petitioner: { name: '张三', phone: '13800001234' } };
    case 'dispute':
      return { ...common, type: 'register-dispute', source: 'screening', parties: [{ name: '王五' }, { name: '赵六' }] };
  }
}

/** accept (petitions and disputes) → dispatch → sign → progress → resolve → review (which closes). */
function lifecycleSteps(kind: CaseKind, unit: string): Step[] {
  const unitUser: Actor = { id: `user-of-${unit}`, role: 'unit', unit };
  const step = (actor: Actor, command: LifecycleCommand): Step => ({ actor, command });
  const resolution: Record<CaseKind, LifecycleCommand> = {
    petition: { type: 'resolve', outcome: 'supported', reply: '已协调施工方调整作业时间' },
    hotline: { type: 'resolve', reply: '已更换灯具，恢复照明' },
    dispute: { type: 'resolve', outcome: 'mediated', mediationType: 'people', agreement: '楼上赔偿维修费' },
  };
  return [
    ...(kind === 'hotline' ? [] : [step(DESK, { type: 'accept' })]),
    step(DESK, { type: 'dispatch', unit, instructions: '三日内反馈' }),
    step(unitUser, { type: 'sign' }),
    step(unitUser, { type: 'progress', text: '已到现场核实情况' }),
    step(unitUser, resolution[kind]),
    step(DESK, kind === 'hotline' ? { type: 'review', satisfaction: 'satisfied', solved: true } : { type: 'review', note: '回访满意' }),
  ];
}
