import { randomUUID } from 'node:crypto';
import {
  ConfiguredDeadlinePolicy,
  DEFAULT_POLICY_CONFIG,
  TERMINAL_STATUSES,
  caseNumberStreamId,
  caseStreamId,
  createBusinessCalendar,
  createDefaultPolicy,
  decide,
  decideIntake,
  dueDeadlineAlerts,
  encodeCaseEvent,
  evolve,
  formatCaseNumber,
  INITIAL_CASE_STATE,
  type Actor,
  type CaseEvent,
  type CaseKind,
  type CaseState,
  type DeadlinePolicy,
  type DecisionContext,
  type DisputeSource,
  type IntakeCommand,
  type LifecycleCommand,
  type MediationType,
  type OpenedCase,
  type Milestone,
  type PetitionChannel,
  type PetitionOutcome,
  type ReexaminationDecision,
  type Satisfaction,
} from '@cases/domain';
import type { EventData, EventStore, ExpectedRevision, StreamAppend } from '@cases/event-store';

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
    const streamId = caseNumberStreamId(ORG_ID, inProgress.kind, YEAR);
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

// =============================================================================================
// A year of a sub-district centre, for the timeliness KPIs and the monthly report (SPEC §4–5)
// =============================================================================================

/**
 * Writes a year of realistic case traffic: cases registered evenly through 2025 (business time,
 * `occurredAt`, back-dated into 2025; some steps also recorded hours or days after they happened),
 * handled by 30 units of uneven diligence in several communities, with the outcomes the KPIs and
 * the monthly report are about: hotline tickets mostly signed and resolved on time, some late,
 * some never signed or resolved; call-backs with every satisfaction value, unsatisfied ones
 * reopened or closed; petitions accepted, rejected or left waiting, replied on time or late,
 * some repeating an earlier petition or re-examined; disputes mediated or failed; extensions,
 * supervision orders (督办) and returns (退单); and the deadline scheduler's warnings and misses,
 * recorded as the running service would have recorded them.
 *
 * Every step goes through the domain's deciders under the default policy on the real calendar
 * (`createDefaultPolicy()`), so every deadline is the one the service would have set. A case's
 * whole history is decided when it starts (deciders are pure); the appends of all cases then go
 * to the store in the order they were recorded (`recordedAt`), as the service would have written
 * them over the year, so a prefix of the log is the log as it stood at some moment, and one
 * case's events lie as far apart as its weeks of handling put them. The intake goes with its case
 * number in one multi-stream append, as the service's intake does. Appends are issued in waves
 * of `appendsPerWave` without waiting for each other, so the store group-commits them.
 *
 * Deterministic per case index (seeded PRNG) apart from ids, so two runs have the same mix.
 */

export const TIMELINESS_YEAR = 2025;
export const TIMELINESS_ORG_ID = 'bench-org';
/** Intakes run from the first to this instant; late steps and scheduler alerts may run into January. */
const TIMELINESS_FIRST_INTAKE_MS = Date.parse('2025-01-01T00:30:00+08:00');
const TIMELINESS_LAST_INTAKE_MS = Date.parse('2025-12-20T00:00:00+08:00');
/** The scheduler's alerts for cases still open are recorded up to this instant. */
const TIMELINESS_LOG_END_MS = Date.parse('2026-01-10T00:00:00+08:00');
const DAY_MS = 24 * HOUR_MS;
const SUPERVISOR: Actor = { id: 'supervisor-1', role: 'supervisor' };
const SCHEDULER_PASS_MS = 30_000;

export const TIMELINESS_UNITS: readonly string[] = [
  '城管执法中队',
  '市政管理所',
  '环卫所',
  '房管所',
  '市场监管所',
  '司法所',
  '派出所',
  '综合执法队',
  '平安建设办',
  '社会事务办',
  '经济发展办',
  '规划建设办',
  '应急管理办',
  '物业管理办',
  '民政办',
  '劳动保障所',
  '卫生健康办',
  '退役军人服务站',
  '文化站',
  '供水所',
  '雁塔社区居委会',
  '小寨社区居委会',
  '等驾坡社区居委会',
  '电子城社区居委会',
  '大雁塔社区居委会',
  '吴家坟社区居委会',
  '翠华路社区居委会',
  '长延堡社区居委会',
  '曲江池社区居委会',
  '芙蓉西路社区居委会',
];
const TIMELINESS_COMMUNITIES: readonly string[] = [
  '雁塔社区',
  '小寨社区',
  '等驾坡社区',
  '电子城社区',
  '大雁塔社区',
  '吴家坟社区',
  '翠华路社区',
  '长延堡社区',
  '曲江池社区',
  '芙蓉西路社区',
];
const TOPICS: readonly string[] = [
  '小区路灯不亮',
  '楼上漏水',
  '夜间施工噪音扰民',
  '占道经营',
  '生活垃圾清运不及时',
  '物业服务费争议',
  '拖欠农民工工资',
  '小区停车难',
  '下水道堵塞',
  '违章搭建',
  '养犬扰民',
  '供暖温度不达标',
  '电梯故障停运',
  '餐饮油烟扰民',
  '邻里宅基地纠纷',
  '共享单车乱停放',
];

export interface TimelinessLogOptions {
  /** Appends issued together, in recorded order, before waiting for their commits (default 2,000). */
  appendsPerWave?: number;
  orgId?: string;
}

export interface TimelinessLog extends GeneratedLog {
  byKind: Record<CaseKind, number>;
  /** How often each scripted outcome was chosen, keyed like 'hotline.sign.late'. */
  outcomes: ReadonlyMap<string, number>;
  /** Business time of the first and last intake and of the latest event (ISO). */
  firstIntakeAt: string;
  lastIntakeAt: string;
  lastEventAt: string;
  /** Most cases with appends still to write at one time (cases open in business time, roughly). */
  peakOpenCases: number;
}

interface PlannedAppend {
  parts: StreamAppend[];
  events: number;
  /** Server time the service would have written it at; never earlier than the case's previous append. */
  recordedMs: number;
}

interface ScriptedCase {
  index: number;
  appends: PlannedAppend[];
}

/** Cases by the recorded time of their next append (ties by case index): a binary min-heap. */
class AppendOrder {
  private readonly heap: ScriptedCase[] = [];

  get size(): number {
    return this.heap.length;
  }

  /** Recorded time of the earliest pending append. */
  peekMs(): number {
    return this.heap[0].appends[0].recordedMs;
  }

  push(scripted: ScriptedCase): void {
    const heap = this.heap;
    heap.push(scripted);
    let child = heap.length - 1;
    while (child > 0) {
      const parent = (child - 1) >> 1;
      if (!this.before(heap[child], heap[parent])) break;
      [heap[child], heap[parent]] = [heap[parent], heap[child]];
      child = parent;
    }
  }

  pop(): ScriptedCase | undefined {
    const heap = this.heap;
    if (heap.length === 0) return undefined;
    const top = heap[0];
    const last = heap.pop() as ScriptedCase;
    if (heap.length > 0) {
      heap[0] = last;
      let parent = 0;
      for (;;) {
        const left = 2 * parent + 1;
        const right = left + 1;
        let smallest = parent;
        if (left < heap.length && this.before(heap[left], heap[smallest])) smallest = left;
        if (right < heap.length && this.before(heap[right], heap[smallest])) smallest = right;
        if (smallest === parent) break;
        [heap[smallest], heap[parent]] = [heap[parent], heap[smallest]];
        parent = smallest;
      }
    }
    return top;
  }

  private before(left: ScriptedCase, right: ScriptedCase): boolean {
    const leftMs = left.appends[0].recordedMs;
    const rightMs = right.appends[0].recordedMs;
    return leftMs < rightMs || (leftMs === rightMs && left.index < right.index);
  }
}

/** Small, fast, seedable PRNG (mulberry32): one per case, so a case's story depends on its index only. */
function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export class TimelinessLogGenerator {
  private readonly policy: DeadlinePolicy = createDefaultPolicy();
  private readonly appendsPerWave: number;
  private readonly orgId: string;
  private readonly nextSequence = new Map<CaseKind, number>();
  private readonly outcomes = new Map<string, number>();
  private readonly byKind: Record<CaseKind, number> = { hotline: 0, petition: 0, dispute: 0 };
  /** Ids of recent petitions, for repeat petitions (重复信访) to link to. */
  private readonly recentPetitions: string[] = [];
  private casesStarted = 0;
  private eventsPlanned = 0;
  private eventsAppended = 0;
  private targetEvents = 0;
  private firstIntakeMs = Number.POSITIVE_INFINITY;
  private lastIntakeMs = 0;
  private lastEventMs = 0;
  /** Recorded time of the latest intake: intakes are recorded in case order, so case numbers follow it. */
  private lastIntakeRecordedMs = 0;
  /** Most cases with appends still to write at once. */
  private peakOpenCases = 0;

  constructor(
    private readonly store: EventStore,
    options: TimelinessLogOptions = {},
  ) {
    this.appendsPerWave = options.appendsPerWave ?? 2_000;
    this.orgId = options.orgId ?? TIMELINESS_ORG_ID;
  }

  /** Appends cases until about `targetEvents` events are in the log; intakes spread evenly over 2025 by events. */
  async generate(targetEvents: number): Promise<TimelinessLog> {
    const started = performance.now();
    this.targetEvents = targetEvents;
    const pending = new AppendOrder();
    let nextCase = this.nextCase();
    for (;;) {
      const wave: Promise<void>[] = [];
      while (wave.length < this.appendsPerWave) {
        // A case joins once its intake is the earliest append still to write.
        while (nextCase !== undefined && (pending.size === 0 || nextCase.appends[0].recordedMs <= pending.peekMs())) {
          pending.push(nextCase);
          nextCase = this.nextCase();
        }
        this.peakOpenCases = Math.max(this.peakOpenCases, pending.size);
        const scripted = pending.pop();
        if (scripted === undefined) break;
        const planned = scripted.appends.shift() as PlannedAppend;
        // Issued in order without awaiting: one stream's appends queue behind each other and share group commits.
        wave.push(this.store.appendMultiple(planned.parts).then(() => void (this.eventsAppended += planned.events)));
        if (scripted.appends.length > 0) pending.push(scripted);
      }
      if (wave.length === 0) break;
      await Promise.all(wave);
    }
    return {
      events: this.eventsAppended,
      cases: this.casesStarted,
      elapsedMs: performance.now() - started,
      byKind: { ...this.byKind },
      outcomes: new Map([...this.outcomes].sort(([left], [right]) => (left < right ? -1 : left > right ? 1 : 0))),
      firstIntakeAt: new Date(this.firstIntakeMs).toISOString(),
      lastIntakeAt: new Date(this.lastIntakeMs).toISOString(),
      lastEventAt: new Date(this.lastEventMs).toISOString(),
      peakOpenCases: this.peakOpenCases,
    };
  }

  /** Scripts the next case, or undefined once the cases scripted so far fill the event budget. */
  private nextCase(): ScriptedCase | undefined {
    if (this.eventsPlanned >= this.targetEvents) return undefined;
    const index = this.casesStarted++;
    const random = seededRandom(index * 2654435761 + 12345);
    // Evenly through the year by the share of the event budget used so far, a few minutes' jitter.
    const share = Math.min(1, this.eventsPlanned / this.targetEvents);
    const intakeMs = Math.round(
      TIMELINESS_FIRST_INTAKE_MS + share * (TIMELINESS_LAST_INTAKE_MS - TIMELINESS_FIRST_INTAKE_MS) + random() * 4 * MINUTE_MS,
    );
    const kindRoll = random();
    const kind: CaseKind = kindRoll < 0.62 ? 'hotline' : kindRoll < 0.86 ? 'petition' : 'dispute';
    const caseId = randomUUID();
    const sequence = (this.nextSequence.get(kind) ?? 0) + 1;
    this.nextSequence.set(kind, sequence);
    const counter: StreamAppend = {
      streamId: caseNumberStreamId(this.orgId, kind, TIMELINESS_YEAR),
      events: [
        {
          id: randomUUID(),
          type: 'CaseNumberAllocated',
          data: { sequence, caseId },
          personal: null,
          metadata: { orgId: this.orgId, kind, year: TIMELINESS_YEAR },
        },
      ],
      expectedRevision: sequence === 1 ? 'no_stream' : BigInt(sequence - 2),
    };
    const repeatTarget =
      kind === 'petition' && this.recentPetitions.length > 0 && random() < 0.06
        ? this.recentPetitions[Math.floor(random() * this.recentPetitions.length)]
        : undefined;
    // Intakes are entered as they arrive, a few minutes at most after the call or visit, one after the other.
    const intakeRecordedMs = Math.max(this.lastIntakeRecordedMs + 1, intakeMs + Math.round(random() * 3 * MINUTE_MS));
    this.lastIntakeRecordedMs = intakeRecordedMs;
    const script = new CaseScript({
      policy: this.policy,
      intakeRecordedMs,
      orgId: this.orgId,
      caseId,
      kind,
      index,
      random,
      intakeMs,
      number: formatCaseNumber(kind, TIMELINESS_YEAR, sequence),
      counter,
      repeatTarget,
      count: (outcome) => this.outcomes.set(`${kind}.${outcome}`, (this.outcomes.get(`${kind}.${outcome}`) ?? 0) + 1),
    });
    try {
      script.run();
    } catch (error) {
      throw new Error(`Scripting case #${index} (${kind}) failed: ${error instanceof Error ? error.stack : String(error)}`);
    }
    if (kind === 'petition') {
      this.recentPetitions.push(caseId);
      if (this.recentPetitions.length > 5_000) this.recentPetitions.shift();
    }
    this.byKind[kind] += 1;
    this.eventsPlanned += script.events;
    this.firstIntakeMs = Math.min(this.firstIntakeMs, intakeMs);
    this.lastIntakeMs = Math.max(this.lastIntakeMs, intakeMs);
    this.lastEventMs = Math.max(this.lastEventMs, script.latestMs);
    return { index, appends: script.appends };
  }
}

interface CaseScriptSetup {
  policy: DeadlinePolicy;
  orgId: string;
  caseId: string;
  kind: CaseKind;
  index: number;
  random: () => number;
  intakeMs: number;
  /** When the intake is recorded: after the previous case's intake, so case numbers follow the log. */
  intakeRecordedMs: number;
  number: string;
  /** The case-number counter event, appended atomically with the intake. */
  counter: StreamAppend;
  /** An earlier petition this one repeats (`repeat-of`), if any. */
  repeatTarget?: string;
  count: (outcome: string) => void;
}

/** One case's story, decided command by command with the real deciders; the appends it produced. */
class CaseScript {
  readonly appends: PlannedAppend[] = [];
  events = 0;
  /** Latest business time of any event of the case. */
  latestMs = 0;
  private state: CaseState = INITIAL_CASE_STATE;
  private revision: bigint | undefined;
  /** Recorded time of the case's latest append: a stream is written in order, so none may be recorded earlier. */
  private lastRecordedMs = 0;
  /** Business time of the latest command (scheduler alerts do not move it). */
  private clockMs: number;
  private readonly unitIndex: number;
  /** This unit's lateness relative to the average: 0.4 (diligent) to 2 (sloppy), unrelated to its load. */
  private readonly sloppiness: number;
  private readonly topic: string;
  private readonly community: string;

  constructor(private readonly setup: CaseScriptSetup) {
    this.clockMs = setup.intakeMs;
    // Some units get far more cases than others.
    this.unitIndex = Math.floor(TIMELINESS_UNITS.length * setup.random() ** 1.4);
    this.sloppiness = this.sloppinessOf(this.unitIndex);
    this.topic = TOPICS[Math.floor(setup.random() * TOPICS.length)];
    this.community = TIMELINESS_COMMUNITIES[Math.floor(setup.random() ** 1.2 * TIMELINESS_COMMUNITIES.length)];
  }

  run(): void {
    switch (this.setup.kind) {
      case 'hotline':
        this.hotline();
        break;
      case 'petition':
        this.petition();
        break;
      case 'dispute':
        this.dispute();
        break;
    }
    // Whatever is still open at the end gets the scheduler's alerts, as the running service would have recorded them.
    this.alertsUntil(Math.max(TIMELINESS_LOG_END_MS, this.clockMs));
  }

  // ---- the three kinds ---------------------------------------------------------------------

  private hotline(): void {
    const urgent = this.chance(0.1);
    const withPlatformDeadline = this.chance(0.08);
    const intakeMs = this.clockMs;
    this.intake({
      ...this.intakeCommon(),
      type: 'receive-hotline-ticket',
      platformTicketNo: `GD${TIMELINESS_YEAR}-${String(this.setup.index + 1).padStart(8, '0')}`,
      urgency: urgent ? 'urgent' : 'normal',
      caller: { name: '李四', phone: '13900005678' },
      ...(withPlatformDeadline && { platformDeadline: new Date(intakeMs + this.between(3, 7) * DAY_MS).toISOString() }),
    });
    if (this.chance(0.01)) return this.count('never-dispatched');
    let unit = TIMELINESS_UNITS[this.unitIndex];
    this.act(DESK, { type: 'dispatch', unit, instructions: '请按时限办理并反馈' }, this.clockMs + this.between(5 * MINUTE_MS, 3 * HOUR_MS));
    if (this.chance(0.02)) {
      // 退单: the unit hands the ticket back within the return window; the desk dispatches it elsewhere.
      const windowEnd = this.windowEnd('return');
      const latest = Math.max(20 * MINUTE_MS, Math.min(windowEnd, this.clockMs + DAY_MS) - this.clockMs);
      const at = this.clockMs + this.between(10 * MINUTE_MS, latest);
      if (at <= windowEnd) {
        this.act(this.unitUser(unit), { type: 'return', reason: '不属于本单位职责范围' }, at);
        unit = TIMELINESS_UNITS[(this.unitIndex + 1 + Math.floor(this.setup.random() * 29)) % TIMELINESS_UNITS.length];
        this.act(DESK, { type: 'dispatch', unit, instructions: '改派办理' }, this.clockMs + this.between(30 * MINUTE_MS, 6 * HOUR_MS));
        this.count('returned');
      }
    }
    const unitUser = this.unitUser(unit);
    if (this.chance(0.03)) {
      this.count('sign.never');
      this.maybeSupervise('sign', unitUser, 0.5, undefined);
      return;
    }
    const signLate = this.chance(0.07 * this.sloppiness);
    this.count(signLate ? 'sign.late' : 'sign.on-time');
    this.act(unitUser, { type: 'sign' }, this.timeToReach('sign', signLate));
    if (this.chance(0.05)) this.extension(unitUser, 2, 10);
    if (this.chance(0.025)) {
      this.count('resolve.never');
      this.maybeSupervise('resolve', unitUser, 0.6, undefined);
      return;
    }
    const resolveLate = this.chance(0.1 * this.sloppiness);
    this.count(resolveLate ? 'resolve.late' : 'resolve.on-time');
    const resolveAt = this.timeToReach('resolve', resolveLate);
    this.progressBefore(unitUser, resolveAt, 0.5);
    if (resolveLate) this.maybeSupervise('resolve', unitUser, 0.3, resolveAt);
    this.act(unitUser, { type: 'resolve', reply: '已现场处置完毕，问题已解决' }, resolveAt);

    const roll = this.setup.random();
    if (roll < 0.05) return this.count('callback.never');
    if (roll < 0.09) {
      this.count('callback.closed-unreachable');
      this.act(DESK, { type: 'close', note: '多次回访未接通' }, this.timeToReach('callback', this.chance(0.2)));
      return;
    }
    const first = this.callback([0.72, 0.17, 0.11], 0.08);
    if (first !== 'unsatisfied') return;
    if (this.chance(0.55)) {
      // 重办: back to the unit with fresh time, then a second call-back.
      this.count('reopened');
      this.act(DESK, { type: 'reopen', reason: '群众不满意，重新办理' }, this.clockMs + this.between(HOUR_MS, DAY_MS));
      this.act(unitUser, { type: 'resolve', reply: '已再次上门处置' }, this.timeToReach('resolve', this.chance(0.15)));
      const second = this.callback([0.55, 0.3, 0.15], 0.1);
      if (second === 'unsatisfied')
        this.act(DESK, { type: 'close', note: '已尽力解释，办结' }, this.clockMs + this.between(HOUR_MS, 2 * DAY_MS));
    } else {
      this.act(DESK, { type: 'close', note: '诉求不合理，已解释' }, this.clockMs + this.between(HOUR_MS, 2 * DAY_MS));
    }
  }

  private petition(): void {
    const channels: PetitionChannel[] = ['visit', 'letter', 'phone', 'online', 'transferred'];
    this.intake({
      ...this.intakeCommon(),
      type: 'register-petition',
      channel: this.pick(channels, [0.3, 0.15, 0.15, 0.3, 0.1]),
      petitioner: { name: '张三', phone: '13800001234' },
    });
    if (this.setup.repeatTarget !== undefined) {
      this.count('repeat-of');
      const at = this.clockMs + this.between(5 * MINUTE_MS, 2 * HOUR_MS);
      this.act(DESK, { type: 'link', targetId: this.setup.repeatTarget, relation: 'repeat-of' }, at);
    }
    const roll = this.setup.random();
    if (roll < 0.03) {
      this.count('rejected');
      this.act(
        DESK,
        { type: 'reject', reason: '不属于信访事项，已告知通过诉讼途径解决', referredTo: '区人民法院' },
        this.timeToReach('acceptance', false),
      );
      return;
    }
    if (roll < 0.05) {
      this.count('acceptance.never');
      return;
    }
    const acceptLate = this.chance(0.06 * this.sloppiness);
    this.count(acceptLate ? 'acceptance.late' : 'acceptance.on-time');
    this.act(DESK, { type: 'accept', note: '依法受理' }, this.timeToReach('acceptance', acceptLate));
    const unit = TIMELINESS_UNITS[this.unitIndex];
    const unitUser = this.unitUser(unit);
    this.act(DESK, { type: 'dispatch', unit, instructions: '请于期限内答复' }, this.clockMs + this.between(HOUR_MS, 2 * DAY_MS));
    this.act(unitUser, { type: 'sign' }, this.clockMs + this.between(30 * MINUTE_MS, 2 * DAY_MS));
    if (this.chance(0.05)) this.extension(unitUser, 10, 30);
    if (this.chance(0.04)) {
      this.count('reply.never');
      this.maybeSupervise('reply', unitUser, 0.5, undefined);
      return;
    }
    const replyLate = this.chance(0.1 * this.sloppiness);
    this.count(replyLate ? 'reply.late' : 'reply.on-time');
    const replyAt = this.timeToReach('reply', replyLate);
    this.progressBefore(unitUser, replyAt, 0.6);
    if (replyLate) this.maybeSupervise('reply', unitUser, 0.3, replyAt);
    const outcomes: PetitionOutcome[] = ['supported', 'partially-supported', 'explained', 'not-supported'];
    this.act(unitUser, { type: 'resolve', outcome: this.pick(outcomes, [0.35, 0.2, 0.35, 0.1]), reply: '经调查核实，已书面答复' }, replyAt);
    if (!this.chance(0.9)) return this.count('follow-up.never');
    this.act(DESK, { type: 'review', note: '回访：信访人表示认可' }, this.clockMs + this.between(DAY_MS, 15 * DAY_MS));
    if (!this.chance(0.05)) return;
    // 复查: asked for within the window after the reply; decided on time, late or not yet.
    const windowEnd = this.windowEnd('reexamination-request', replyAt);
    if (this.clockMs + HOUR_MS > windowEnd) return;
    this.count('reexamination');
    this.act(
      DESK,
      { type: 'request-reexamination', reason: '对答复意见不服' },
      this.clockMs + this.between(HOUR_MS, windowEnd - this.clockMs),
    );
    const decideRoll = this.setup.random();
    if (decideRoll < 0.05) return this.count('reexamination.never');
    const decisions: ReexaminationDecision[] = ['upheld', 'changed', 'revoked', 'remanded'];
    this.act(
      SUPERVISOR,
      { type: 'decide-reexamination', decision: this.pick(decisions, [0.7, 0.15, 0.05, 0.1]), opinion: '经复查，维持原答复意见' },
      this.timeToReach('reexamination', decideRoll < 0.15),
    );
  }

  private dispute(): void {
    const sources: DisputeSource[] = ['screening', 'grid', 'walk-in', 'referral'];
    this.intake({
      ...this.intakeCommon(),
      type: 'register-dispute',
      source: this.pick(sources, [0.4, 0.3, 0.2, 0.1]),
      parties: [{ name: '王五' }, { name: '赵六' }],
    });
    const roll = this.setup.random();
    if (roll < 0.04) {
      this.count('rejected');
      this.act(DESK, { type: 'reject', reason: '已进入诉讼程序' }, this.clockMs + this.between(HOUR_MS, 3 * DAY_MS));
      return;
    }
    if (roll < 0.07) return this.count('never-accepted');
    this.act(DESK, { type: 'accept' }, this.clockMs + this.between(HOUR_MS, 3 * DAY_MS));
    const unit = TIMELINESS_UNITS[this.unitIndex];
    const unitUser = this.unitUser(unit);
    this.act(DESK, { type: 'dispatch', unit, instructions: '组织双方调解' }, this.clockMs + this.between(HOUR_MS, DAY_MS));
    this.act(unitUser, { type: 'sign' }, this.clockMs + this.between(30 * MINUTE_MS, DAY_MS));
    if (this.chance(0.05)) {
      this.count('mediation.never');
      this.maybeSupervise('mediation', unitUser, 0.4, undefined);
      return;
    }
    const late = this.chance(0.1 * this.sloppiness);
    this.count(late ? 'mediation.late' : 'mediation.on-time');
    const resolveAt = this.timeToReach('mediation', late);
    this.progressBefore(unitUser, resolveAt, 0.6);
    const mediationTypes: MediationType[] = ['people', 'administrative', 'judicial', 'joint'];
    const mediationType = this.pick(mediationTypes, [0.6, 0.2, 0.1, 0.1]);
    if (this.chance(0.75)) {
      this.count('mediated');
      this.act(unitUser, { type: 'resolve', outcome: 'mediated', mediationType, agreement: '双方达成调解协议' }, resolveAt);
    } else {
      this.count('failed');
      this.act(unitUser, { type: 'resolve', outcome: 'failed', mediationType, referral: '引导当事人向人民法院起诉' }, resolveAt);
    }
    if (this.chance(0.9)) this.act(DESK, { type: 'review', note: '回访：协议已履行' }, this.clockMs + this.between(DAY_MS, 7 * DAY_MS));
  }

  // ---- recurring episodes --------------------------------------------------------------------

  /** A hotline call-back: satisfaction by `weights` (满意, 基本满意, 不满意), late with `lateChance`. */
  private callback(weights: readonly number[], lateChance: number): Satisfaction {
    const satisfactions: Satisfaction[] = ['satisfied', 'basically-satisfied', 'unsatisfied'];
    const satisfaction = this.pick(satisfactions, weights);
    const solvedChance = satisfaction === 'satisfied' ? 0.96 : satisfaction === 'basically-satisfied' ? 0.8 : 0.25;
    const late = this.chance(lateChance);
    this.count(`callback.${satisfaction}`);
    if (late) this.count('callback.late');
    this.act(
      DESK,
      {
        type: 'review',
        satisfaction,
        solved: this.chance(solvedChance),
        ...(satisfaction === 'unsatisfied' && { note: '群众对处理结果不满意' }),
      },
      this.timeToReach('callback', late),
    );
    return satisfaction;
  }

  /** 延期: the unit asks for `minDays`–`maxDays`, the supervisor approves most requests. */
  private extension(unitUser: Actor, minDays: number, maxDays: number): void {
    const milestone = this.setup.policy.extendableMilestone(this.setup.kind);
    const due = milestone === null ? undefined : this.dueOf(milestone);
    if (due === undefined || due <= this.clockMs + HOUR_MS) return;
    const days = Math.round(this.between(minDays, maxDays));
    const requestedAt = this.clockMs + (due - this.clockMs) * this.between(0.3, 0.7);
    this.act(unitUser, { type: 'request-extension', days, reason: '需协调多个部门，申请延期' }, requestedAt);
    const approved = this.chance(0.85);
    this.count(approved ? 'extension.approved' : 'extension.refused');
    const decidedAt = this.clockMs + this.between(HOUR_MS, 8 * HOUR_MS);
    this.act(SUPERVISOR, { type: 'decide-extension', approved, ...(!approved && { reason: '理由不充分' }) }, decidedAt);
  }

  /**
   * 督办 with `chance`, once the milestone is overdue, before `before` (the step that will reach
   * it), or any time later when it is never reached; the unit answers most orders.
   */
  private maybeSupervise(milestone: Milestone, unitUser: Actor, chance: number, before: number | undefined): void {
    if (!this.chance(chance)) return;
    const due = this.dueOf(milestone);
    if (due === undefined) return;
    const from = Math.max(this.clockMs, due) + HOUR_MS;
    const until = before === undefined ? from + 10 * DAY_MS : before - 10 * MINUTE_MS;
    if (until <= from) return;
    const issuedAt = this.between(from, until);
    this.count('supervised');
    this.act(
      SUPERVISOR,
      { type: 'supervise', instruction: '请立即办理并报告进展', dueAt: new Date(issuedAt + 2 * DAY_MS).toISOString() },
      issuedAt,
    );
    if (!this.chance(0.65)) return;
    const supervision = this.opened().supervisions.at(-1);
    const answerUntil = before === undefined ? issuedAt + 3 * DAY_MS : before - MINUTE_MS;
    if (supervision === undefined || answerUntil <= issuedAt) return;
    const answeredAt = this.between(issuedAt, answerUntil);
    this.act(unitUser, { type: 'answer-supervision', supervisionId: supervision.supervisionId, answer: '已安排专人办理' }, answeredAt);
  }

  private progressBefore(unitUser: Actor, before: number, chance: number): void {
    if (!this.chance(chance) || before - this.clockMs < 2 * MINUTE_MS) return;
    this.act(unitUser, { type: 'progress', text: '已到现场核实情况' }, this.clockMs + (before - this.clockMs) * this.between(0.2, 0.8));
  }

  // ---- deciding and recording ----------------------------------------------------------------

  private intake(command: IntakeCommand): void {
    const recordedMs = this.setup.intakeRecordedMs;
    const events = decideIntake(command, this.state, this.context(DESK, new Date(this.clockMs), recordedMs));
    this.record(events, 'intake', recordedMs, this.setup.counter);
  }

  /** Runs a lifecycle command at business time `atMs` (never before the previous command), after the scheduler's alerts due by then. */
  private act(actor: Actor, command: LifecycleCommand, atMs: number): void {
    const at = Math.max(Math.round(atMs), this.clockMs);
    this.alertsUntil(at);
    const recordedMs = this.recordedAfter(at);
    const events = decide(command, this.state, this.context(actor, new Date(at), recordedMs));
    this.clockMs = at;
    this.record(events, command.type, recordedMs);
  }

  /**
   * The scheduler's warnings and misses up to `untilMs`, one pass per threshold as a service
   * polling every 30 s records them: occurredAt is the threshold itself, recordedAt the pass.
   */
  private alertsUntil(untilMs: number): void {
    for (;;) {
      const state = this.state;
      if (state.status === 'none' || TERMINAL_STATUSES.includes(state.status)) return;
      const next = this.nextAlertAt(state);
      if (next === null || next > untilMs) return;
      const passMs = Math.min(untilMs, Math.max(next, this.clockMs) + Math.floor(this.setup.random() * SCHEDULER_PASS_MS));
      const alerts = dueDeadlineAlerts(state, new Date(passMs), this.setup.policy);
      if (alerts.length === 0) return;
      this.record(alerts, 'scheduler', Math.max(passMs, this.lastRecordedMs));
    }
  }

  /** As the service's scheduler computes it: the earliest warning or miss a deadline is still owed. */
  private nextAlertAt(state: OpenedCase): number | null {
    let earliest: number | null = null;
    for (const deadline of state.deadlines) {
      if (deadline.reachedAt !== undefined || (deadline.missedVersion ?? 0) >= deadline.version) continue;
      const due = Date.parse(deadline.dueAt);
      const warning = this.setup.policy.warningAt(new Date(deadline.startedAt), new Date(due)).getTime();
      const at = (deadline.warnedVersion ?? 0) < deadline.version && warning < due ? warning : due;
      if (earliest === null || at < earliest) earliest = at;
    }
    return earliest;
  }

  private record(events: CaseEvent[], command: string, recordedMs: number, alongside?: StreamAppend): void {
    if (events.length === 0) return;
    const recordedAt = new Date(recordedMs).toISOString();
    const correlationId = randomUUID();
    const stored: EventData[] = events.map((event) => {
      const encoded = encodeCaseEvent(event, {
        orgId: this.setup.orgId,
        caseId: this.setup.caseId,
        command,
        recordedAt,
        correlationId,
        causationId: null,
      });
      this.latestMs = Math.max(this.latestMs, Date.parse(event.occurredAt));
      return { id: randomUUID(), ...encoded, metadata: { ...encoded.metadata } };
    });
    const caseAppend: StreamAppend = {
      streamId: caseStreamId(this.setup.caseId),
      events: stored,
      expectedRevision: this.revision ?? 'no_stream',
    };
    this.revision = (this.revision ?? -1n) + BigInt(stored.length);
    this.state = events.reduce(evolve, this.state);
    const parts = alongside ? [alongside, caseAppend] : [caseAppend];
    const count = parts.reduce((sum, part) => sum + part.events.length, 0);
    this.lastRecordedMs = Math.max(this.lastRecordedMs, recordedMs);
    this.appends.push({ parts, events: count, recordedMs: this.lastRecordedMs });
    this.events += count;
  }

  private context(actor: Actor, at: Date, recordedMs: number): DecisionContext {
    return {
      actor,
      recordedAt: new Date(recordedMs),
      occurredAt: at,
      backdatingWindowMs: 7 * DAY_MS,
      policy: this.setup.policy,
      newId: randomUUID,
    };
  }

  /**
   * Most steps are recorded as they happen; some are entered hours or days later (back-dated,
   * SPEC §2). Never before the case's previous append: its stream is written in order.
   */
  private recordedAfter(occurredMs: number): number {
    const delay = this.chance(0.12) ? this.between(HOUR_MS, 3 * DAY_MS) : this.between(0, 3 * MINUTE_MS);
    return Math.max(Math.round(occurredMs + delay), this.lastRecordedMs);
  }

  // ---- time and chance -----------------------------------------------------------------------

  /** When the step reaching `milestone` happens: before its running deadline, or after it by minutes to weeks. */
  private timeToReach(milestone: Milestone, late: boolean): number {
    const due = this.dueOf(milestone);
    if (due === undefined) return this.clockMs + this.between(HOUR_MS, DAY_MS);
    if (!late) {
      const span = due - this.clockMs;
      return span <= 2 * MINUTE_MS ? this.clockMs + MINUTE_MS : this.clockMs + span * this.between(0.05, 0.95);
    }
    const roll = this.setup.random();
    // Mostly by minutes or hours, a quarter by days to weeks.
    const lateBy =
      roll < 0.3
        ? this.between(10 * MINUTE_MS, HOUR_MS)
        : roll < 0.75
          ? this.between(HOUR_MS, 2 * DAY_MS)
          : this.between(2 * DAY_MS, 15 * DAY_MS);
    return Math.max(due, this.clockMs) + lateBy;
  }

  private dueOf(milestone: Milestone): number | undefined {
    const deadline = this.opened().deadlines.find((candidate) => candidate.milestone === milestone && candidate.reachedAt === undefined);
    return deadline === undefined ? undefined : Date.parse(deadline.dueAt);
  }

  private windowEnd(window: 'return' | 'reexamination-request', fromMs?: number): number {
    const state = this.opened();
    const from = fromMs ?? Date.parse(state.dispatchedAt ?? new Date(this.clockMs).toISOString());
    const end = this.setup.policy.windowEnd(state.kind, state.urgency, window, new Date(from));
    return end === null ? this.clockMs + 7 * DAY_MS : end.getTime();
  }

  private opened(): OpenedCase {
    if (this.state.status === 'none') throw new Error('The case is not registered yet');
    return this.state;
  }

  private intakeCommon() {
    return {
      caseId: this.setup.caseId,
      orgId: this.setup.orgId,
      number: this.setup.number,
      title: `${this.topic}（${this.community}）`,
      description: `群众反映${this.community}${this.topic}，请尽快处理`,
      community: this.community,
    };
  }

  private unitUser(unit: string): Actor {
    return { id: `user-of-${unit}`, role: 'unit', unit };
  }

  private sloppinessOf(unitIndex: number): number {
    // A fixed scramble of the unit index, so the busiest units are not also the sloppiest.
    return 0.4 + (1.6 * ((unitIndex * 7) % TIMELINESS_UNITS.length)) / (TIMELINESS_UNITS.length - 1);
  }

  private count(outcome: string): void {
    this.setup.count(outcome);
  }

  private chance(probability: number): boolean {
    return this.setup.random() < probability;
  }

  private between(low: number, high: number): number {
    return low + this.setup.random() * (high - low);
  }

  private pick<T>(values: readonly T[], weights: readonly number[]): T {
    let roll = this.setup.random() * weights.reduce((sum, weight) => sum + weight, 0);
    for (let i = 0; i < values.length; i++) {
      roll -= weights[i];
      if (roll < 0) return values[i];
    }
    return values[values.length - 1];
  }
}
