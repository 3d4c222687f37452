import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { SqliteEventStore } from '@cases/event-store';
import { CHILD_ADMIN_PASSWORD, ChildService, compiledServiceEntryPoint, repositoryRoot } from '../test/support/child-service';
import { formatCount, formatMs, megabytes, median, positiveNumberFromEnv } from './bench-support';

/**
 * Crash and soak: the compiled service runs as a child process under a mixed load (intakes of
 * the three kinds, the closed loop accept → dispatch → sign → resolve → review/close with reopen
 * and supervision, and the queries: work queue, view, history, statistics, monthly report), each
 * command under the role docs/domain/state-machine.md gives it. Every kill interval the service
 * is killed with SIGKILL and started again on the same data folder. At the end it is killed once
 * more and restarted, and every command that was acknowledged (a 2xx answer arrived) is looked
 * for in the read models (view and history, read with `minPosition` = the positions it
 * answered), then, the service stopped, in the log file itself; the log is verified through
 * `GET /api/audit/verify` and the CLI's `verify`. A request cut off by a kill has no answer: it is
 * not acknowledged, and it is sent again with its Idempotency-Key once the service is back (the
 * replayed or fresh answer then acknowledges it).
 *
 *   npm run bench:soak [-- --seconds 60 --kill-every 20 --clients 8 --rss-after 20 --keep-data]
 *     --seconds     SOAK_SECONDS (default 300)            load duration
 *     --kill-every  SOAK_KILL_EVERY_SECONDS (default 60)  SIGKILL + restart interval
 *     --clients     SOAK_CLIENTS (default 8)              concurrent closed-loop clients
 *     --rss-after   SOAK_RSS_AFTER_SECONDS (default 20)   resident memory sampled this long after each
 *                                                         (re)start (sooner when the next kill comes first)
 *     --keep-data   SOAK_KEEP_DATA=1                      leave the data folder in place
 *     LOG_LEVEL (default warn) is the service's: its request log at `info` costs CPU the load would use
 *
 * Exit status 1 when an acknowledged command is missing from the log or the read models, when
 * the verification fails, or when the service answered 5xx.
 */

interface SoakOptions {
  seconds: number;
  killEverySeconds: number;
  clients: number;
  rssAfterSeconds: number;
  keepData: boolean;
}

function parseOptions(argv: readonly string[]): SoakOptions {
  const options: SoakOptions = {
    seconds: positiveNumberFromEnv('SOAK_SECONDS', 300),
    killEverySeconds: positiveNumberFromEnv('SOAK_KILL_EVERY_SECONDS', 60),
    clients: Math.round(positiveNumberFromEnv('SOAK_CLIENTS', 8)),
    rssAfterSeconds: positiveNumberFromEnv('SOAK_RSS_AFTER_SECONDS', 20),
    keepData: ['1', 'true'].includes((process.env.SOAK_KEEP_DATA ?? '').toLowerCase()),
  };
  const flags: Record<string, (value: number) => void> = {
    '--seconds': (value) => (options.seconds = value),
    '--kill-every': (value) => (options.killEverySeconds = value),
    '--clients': (value) => (options.clients = Math.round(value)),
    '--rss-after': (value) => (options.rssAfterSeconds = value),
  };
  for (let index = 0; index < argv.length; index++) {
    const [flag, inline] = argv[index].split('=', 2);
    if (flag === '--keep-data') {
      options.keepData = true;
      continue;
    }
    const set = flags[flag];
    if (set === undefined) throw new Error(`Unknown flag ${flag} (known: ${[...Object.keys(flags), '--keep-data'].join(', ')})`);
    const raw = inline ?? argv[++index];
    const value = Number(raw);
    if (!Number.isFinite(value) || value <= 0) throw new Error(`${flag} needs a positive number, got '${raw}'`);
    set(value);
  }
  return options;
}

const OPTIONS = parseOptions(process.argv.slice(2));
const RSS_AFTER_MS = OPTIONS.rssAfterSeconds * 1000;
/** When the next kill comes sooner than RSS_AFTER_MS after a start, the sample is taken at this share of the time left. */
const RSS_SHARE_OF_UPTIME = 0.8;
const REQUEST_TIMEOUT_MS = 30_000;
const START_TIMEOUT_MS = 120_000;
const CHECK_CONCURRENCY = 8;
const START_ATTEMPTS = 3;
/** A client keeps at most this many cases of its own open, so lifecycles run to the end rather than piling up. */
const OPEN_CASES_PER_CLIENT = 12;
const PASSWORD = 'soak-bench-password';
/** Each worker's share of the operations, in this order: intake, lifecycle step, query. */
const INTAKE_SHARE = 0.2;
const LIFECYCLE_SHARE = 0.45;
/** Answers other than expected kept for the report. */
const KEPT_UNEXPECTED = 20;
/**
 * Access tokens are signed with a secret kept in the data folder, so they outlive a restart, as a
 * browser's would: the soak users sign in once (scrypt costs seconds on a busy machine) and again
 * only on a 401. The harness signs the admin in at every start, past the default limit of 5 a minute.
 */
const SERVICE_ENV = {
  LOGIN_ATTEMPTS_PER_MINUTE: '1000',
  ACCESS_TOKEN_TTL_SECONDS: String(Math.ceil(OPTIONS.seconds) + 3600),
  LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn',
};

type Kind = 'petition' | 'hotline' | 'dispute';
type Status = 'registered' | 'accepted' | 'dispatched' | 'in_progress' | 'resolved' | 'closed';
type Role = 'desk' | 'supervisor' | 'unit';

interface Actor {
  username: string;
  role: Role;
  unit?: string;
}

/** A case one client drives through its loop; its status is what the acknowledged commands left it in. */
interface TrackedCase {
  id: string;
  kind: Kind;
  status: Status;
  unit: string;
  /** The hotline call-back was unsatisfied: the case stays resolved and is reopened next. */
  needsReopen: boolean;
  lastPosition: bigint;
  lastRevision: number;
}

/** One acknowledged command: where its last event must be. */
interface Ack {
  caseId: string;
  /** `intake` or the lifecycle command, as the event's metadata names it. */
  command: string;
  revision: number;
  position: bigint;
  /** The intake's case number, found on the case's first event. */
  number?: string;
}

/** A command to send (again, after a kill, with the same Idempotency-Key and body). */
interface Command {
  label: string;
  method: 'POST';
  path: string;
  body: Record<string, unknown>;
  actor: Actor;
  idempotencyKey: string;
  /** `intake` or the lifecycle command. */
  command: string;
  onAck: (answer: CommandAnswer) => void;
  tracked?: TrackedCase;
}

interface CommandAnswer {
  id: string;
  revision: number;
  position: string;
  number?: string;
}

interface HistoryEntry {
  revision: number;
  position: number | string;
  type: string;
  command: string;
  data: Record<string, unknown>;
}

interface KillTimes {
  killedAt: number;
  exitedAt: number;
}

/** One run of the service process, from start to SIGKILL. */
interface Generation {
  index: number;
  service: ChildService;
  killed: boolean;
  readyAt: number;
  /** SIGKILL → the process gone; 0 for the first start. */
  exitMs: number;
  /** SIGKILL → ready (/health 200 and the admin signed in); the first start's is spawn → ready. */
  restartMs: number;
  /** Ready → the soak users created and signed in (first start only; later ones keep their tokens). */
  signInMs: number;
  /** Log head (/health) when it was ready. */
  headAtStart: string;
  /** How long after ready the resident memory was sampled (RSS_AFTER_MS, or less before an early kill). */
  rssOffsetMs: number;
  rssAfterStartBytes?: number;
  rssBeforeKillBytes?: number;
  cutOff: number;
  /** Commands acknowledged when it was ready and when it was killed: the load it carried. */
  acknowledgedAtStart: number;
  acknowledgedAtKill?: number;
}

class Counters {
  acknowledged = 0;
  resentAcknowledged = 0;
  queries = 0;
  cutOffByKill = 0;
  errorsWhileUp = 0;
  unexpected = 0;
  serverErrors = 0;
  readYourWritesMisses = 0;
  signInsAgain = 0;
  readonly unexpectedSamples: string[] = [];

  noteUnexpected(text: string, status: number): void {
    this.unexpected += 1;
    if (status >= 500) this.serverErrors += 1;
    if (this.unexpectedSamples.length < KEPT_UNEXPECTED) this.unexpectedSamples.push(text);
  }
}

const counters = new Counters();
const ledger: Ack[] = [];
const units = (JSON.parse(readFileSync(join(repositoryRoot(), 'config', 'units.json'), 'utf8')) as { units: { code: string }[] }).units.map(
  (unit) => unit.code,
);
const desk: Actor = { username: 'soak.desk', role: 'desk' };
const supervisor: Actor = { username: 'soak.supervisor', role: 'supervisor' };
const unitActors = new Map<string, Actor>(units.map((unit) => [unit, { username: `soak.unit.${unit}`, role: 'unit', unit }]));
const everyone: Actor[] = [desk, supervisor, ...unitActors.values()];
const runId = Date.now().toString(36).toUpperCase();
let ticketSequence = 0;

function pick<T>(items: readonly T[]): T {
  return items[Math.floor(Math.random() * items.length)];
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** A `kB` line of /proc/<pid>/status, in bytes; NaN once the process is gone. */
function statusBytes(pid: number, field: string): number {
  try {
    const match = new RegExp(`^${field}:\\s+(\\d+)\\s+kB$`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) * 1024 : Number.NaN;
  } catch {
    return Number.NaN;
  }
}

/**
 * The running service for the clients: `current()` waits while it is down. A kill marks its
 * generation first, so an error from a request to it counts as cut off by the kill.
 */
class ServiceHolder {
  readonly generations: Generation[] = [];
  private live: Promise<Generation>;
  private resolveLive: (generation: Generation) => void = () => undefined;

  constructor(private readonly dataDir: string) {
    this.live = this.pending();
  }

  current(): Promise<Generation> {
    return this.live;
  }

  private pending(): Promise<Generation> {
    return new Promise((resolve) => (this.resolveLive = resolve));
  }

  /**
   * Starts a generation after `previous` (the kill's times; none for the first start). Its
   * resident memory is sampled RSS_AFTER_MS after ready, or earlier when `nextKillAt` comes first.
   */
  async start(previous: KillTimes | undefined, nextKillAt: (() => number) | undefined): Promise<Generation> {
    const spawnedAt = performance.now();
    const service = await this.spawn();
    const readyAt = performance.now();
    const health = await service.health();
    if (previous === undefined) await createSoakUsers(service);
    if (previous === undefined) await signInEveryone(service);
    const now = performance.now();
    const rssDelayMs = Math.max(
      0,
      nextKillAt === undefined ? RSS_AFTER_MS : Math.min(RSS_AFTER_MS, (nextKillAt() - now) * RSS_SHARE_OF_UPTIME),
    );
    const generation: Generation = {
      index: this.generations.length,
      service,
      killed: false,
      readyAt,
      exitMs: previous === undefined ? 0 : previous.exitedAt - previous.killedAt,
      restartMs: readyAt - (previous?.killedAt ?? spawnedAt),
      signInMs: now - readyAt,
      headAtStart: String(health?.body.store.head ?? '?'),
      rssOffsetMs: now - readyAt + rssDelayMs,
      cutOff: 0,
      acknowledgedAtStart: counters.acknowledged,
    };
    this.generations.push(generation);
    setTimeout(() => {
      if (!generation.killed) generation.rssAfterStartBytes = statusBytes(service.pid, 'VmRSS');
    }, rssDelayMs).unref();
    this.resolveLive(generation);
    return generation;
  }

  /** Failed starts, each with what the process printed: reported, and the start is tried again. */
  readonly startFailures: string[] = [];

  private async spawn(): Promise<ChildService> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await ChildService.start({ dataDir: this.dataDir, env: SERVICE_ENV, startTimeoutMs: START_TIMEOUT_MS });
      } catch (error) {
        const text = String(error instanceof Error ? error.message : error);
        this.startFailures.push(text.slice(-3000));
        console.log(`  start failed (attempt ${attempt} of ${START_ATTEMPTS}): ${text.slice(-3000)}`);
        if (attempt === START_ATTEMPTS) throw error;
      }
    }
  }

  /** SIGKILL to the running generation; clients wait for the next one. Resolves once the process is gone. */
  async kill(): Promise<KillTimes> {
    const generation = await this.live;
    this.live = this.pending();
    generation.rssBeforeKillBytes = statusBytes(generation.service.pid, 'VmRSS');
    generation.killed = true;
    generation.acknowledgedAtKill = counters.acknowledged;
    const killedAt = performance.now();
    const exit = await generation.service.kill();
    if (exit.signal !== 'SIGKILL') throw new Error(`The service exited with ${JSON.stringify(exit)} before the kill`);
    return { killedAt, exitedAt: performance.now() };
  }
}

async function adminPost(service: ChildService, path: string, body: object): Promise<void> {
  const response = await fetch(`${service.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...service.authorization },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
  });
  if (response.status !== 201 && response.status !== 200)
    throw new Error(`POST ${path} answered ${response.status}: ${await response.text()}`);
}

/** The desk, a supervisor and a user for every unit of config/units.json, created by the admin. */
async function createSoakUsers(service: ChildService): Promise<void> {
  for (const actor of everyone) {
    await adminPost(service, '/api/users', {
      username: actor.username,
      displayName: `压测 ${actor.role}`,
      password: PASSWORD,
      role: actor.role,
      ...(actor.unit !== undefined ? { unit: actor.unit } : {}),
    });
  }
}

/** Each soak user's access token, kept across restarts. */
const tokens = new Map<string, string>();
/** Sign-ins under way, so clients that meet a 401 together sign in once. */
const signingIn = new Map<string, Promise<void>>();

async function signIn(url: string, actor: Actor): Promise<void> {
  const response = await fetch(`${url}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: actor.username, password: PASSWORD }),
    signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
  });
  if (response.status !== 200) throw new Error(`Sign-in as ${actor.username} answered ${response.status}: ${await response.text()}`);
  tokens.set(actor.username, ((await response.json()) as { accessToken: string }).accessToken);
}

async function signInEveryone(service: ChildService): Promise<void> {
  await Promise.all(everyone.map((actor) => signIn(service.url, actor)));
}

/** Signs `actor` in again after a 401 (one sign-in for every client waiting on it). */
async function signInAgain(generation: Generation, actor: Actor): Promise<void> {
  let pending = signingIn.get(actor.username);
  if (pending === undefined) {
    counters.signInsAgain += 1;
    pending = signIn(generation.service.url, actor).finally(() => signingIn.delete(actor.username));
    signingIn.set(actor.username, pending);
  }
  await pending;
}

interface Answer {
  status: number;
  body: unknown;
}

/** The answer, or null when there was none (the kill cut it off, or the connection failed). */
async function send(
  generation: Generation,
  actor: Actor,
  method: 'GET' | 'POST',
  path: string,
  body?: object,
  idempotencyKey?: string,
): Promise<Answer | null> {
  const answer = await sendOnce(generation, actor, method, path, body, idempotencyKey);
  if (answer?.status !== 401) return answer;
  try {
    await signInAgain(generation, actor);
  } catch {
    return sendOnce(generation, actor, method, path, body, idempotencyKey);
  }
  return sendOnce(generation, actor, method, path, body, idempotencyKey);
}

async function sendOnce(
  generation: Generation,
  actor: Actor,
  method: 'GET' | 'POST',
  path: string,
  body?: object,
  idempotencyKey?: string,
): Promise<Answer | null> {
  try {
    const response = await fetch(`${generation.service.url}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${tokens.get(actor.username)}`,
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
        ...(idempotencyKey !== undefined ? { 'idempotency-key': idempotencyKey } : {}),
      },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    });
    const text = await response.text();
    let parsed: unknown = text;
    try {
      parsed = JSON.parse(text);
    } catch {
      // Not JSON (a CSV report, say): the text is enough.
    }
    return { status: response.status, body: parsed };
  } catch (error) {
    if (generation.killed) {
      counters.cutOffByKill += 1;
      generation.cutOff += 1;
    } else {
      counters.errorsWhileUp += 1;
      if (counters.unexpectedSamples.length < KEPT_UNEXPECTED) counters.unexpectedSamples.push(`${method} ${path}: ${String(error)}`);
    }
    return null;
  }
}

function petitionBody(): Record<string, unknown> {
  return {
    title: '小区夜间施工噪音扰民',
    description: '工地连续三晚施工至凌晨，影响居民休息。',
    channel: 'visit',
    community: '曲江社区',
    petitioner: { name: '测试甲', phone: '13800000000' },
  };
}

function hotlineBody(): Record<string, unknown> {
  ticketSequence += 1;
  return {
    platformTicketNo: `SOAK-${runId}-${ticketSequence}`,
    title: '路灯不亮',
    description: '小区门口路灯损坏。',
    community: '小寨社区',
    urgency: pick(['normal', 'normal', 'urgent']),
    caller: { name: '测试乙', phone: '13900000000' },
  };
}

function disputeBody(): Record<string, unknown> {
  return {
    title: '邻里漏水纠纷',
    description: '楼上漏水致楼下墙面受损。',
    source: 'grid',
    community: '大雁塔社区',
    parties: [
      { name: '测试丙', role: 'applicant' },
      { name: '测试丁', role: 'respondent' },
    ],
  };
}

function intakeCommand(kind: Kind, open: TrackedCase[]): Command {
  const paths: Record<Kind, string> = { petition: '/api/petitions', hotline: '/api/hotline-tickets', dispute: '/api/disputes' };
  const bodies: Record<Kind, () => Record<string, unknown>> = { petition: petitionBody, hotline: hotlineBody, dispute: disputeBody };
  return {
    label: `intake ${kind}`,
    method: 'POST',
    path: paths[kind],
    body: bodies[kind](),
    actor: desk,
    idempotencyKey: randomUUID(),
    command: 'intake',
    onAck: (answer) =>
      open.push({
        id: answer.id,
        kind,
        status: kind === 'hotline' ? 'accepted' : 'registered',
        unit: pick(units),
        needsReopen: false,
        lastPosition: BigInt(answer.position),
        lastRevision: answer.revision,
      }),
  };
}

/** The next step of the closed loop for a case in its tracked status, under the role that takes it. */
function lifecycleCommand(tracked: TrackedCase): Command {
  const unitActor = unitActors.get(tracked.unit) as Actor;
  const step = (command: string, actor: Actor, body: Record<string, unknown>, next: Partial<TrackedCase>): Command => ({
    label: `${tracked.kind} ${command}`,
    method: 'POST',
    path: `/api/cases/${tracked.id}/${command}`,
    body,
    actor,
    idempotencyKey: randomUUID(),
    command,
    tracked,
    onAck: () => Object.assign(tracked, next),
  });
  switch (tracked.status) {
    case 'registered':
      return step('accept', desk, { note: '属于受理范围' }, { status: 'accepted' });
    case 'accepted':
      return step('dispatch', desk, { unit: tracked.unit }, { status: 'dispatched' });
    case 'dispatched':
      return step('sign', unitActor, {}, { status: 'in_progress' });
    case 'in_progress': {
      const roll = Math.random();
      if (roll < 0.15) return step('progress', unitActor, { text: '已现场核实' }, {});
      if (roll < 0.25) return step('supervise', supervisor, { instruction: '请尽快办结并报送结果' }, {});
      const bodies: Record<Kind, Record<string, unknown>> = {
        petition: { outcome: 'supported', reply: '已责令夜间停工' },
        hotline: { reply: '已更换灯具' },
        dispute: { outcome: 'mediated', mediationType: 'people', agreement: '楼上赔偿维修费800元' },
      };
      return step('resolve', unitActor, bodies[tracked.kind], { status: 'resolved' });
    }
    case 'resolved': {
      if (tracked.needsReopen)
        return step('reopen', desk, { reason: '群众反映问题仍未解决' }, { status: 'in_progress', needsReopen: false });
      const roll = Math.random();
      if (roll < 0.15) return step('close', desk, { note: '多次联系群众未接通' }, { status: 'closed' });
      if (tracked.kind === 'hotline') {
        return roll < 0.4
          ? step('review', desk, { satisfaction: 'unsatisfied', solved: false }, { needsReopen: true })
          : step('review', desk, { satisfaction: 'satisfied', solved: true }, { status: 'closed' });
      }
      return step('review', desk, { note: '回访，群众表示满意' }, { status: 'closed' });
    }
    case 'closed':
      throw new Error(`Case ${tracked.id} is closed: no next step`);
  }
}

/**
 * Sends a command until it has an answer: when the kill cuts it off, again to the next generation
 * with the same Idempotency-Key and body (a replay when the first attempt had been written).
 * Returns null when the run ends before an answer arrives, or the answer is not 2xx.
 */
async function runCommand(holder: ServiceHolder, command: Command, isStopping: () => boolean): Promise<Ack | null> {
  for (let attempt = 1; ; attempt++) {
    if (attempt > 1 && isStopping()) return null;
    const generation = await holder.current();
    const answer = await send(generation, command.actor, command.method, command.path, command.body, command.idempotencyKey);
    if (answer === null) {
      if (!generation.killed) await sleep(200);
      continue;
    }
    if (answer.status !== 200 && answer.status !== 201) {
      counters.noteUnexpected(
        `${command.label} ${command.path} → ${answer.status} ${JSON.stringify(answer.body).slice(0, 300)}`,
        answer.status,
      );
      return null;
    }
    const body = answer.body as CommandAnswer;
    const ack: Ack = {
      caseId: body.id,
      command: command.command,
      revision: body.revision,
      position: BigInt(body.position),
      ...(body.number !== undefined ? { number: body.number } : {}),
    };
    ledger.push(ack);
    counters.acknowledged += 1;
    if (attempt > 1) counters.resentAcknowledged += 1;
    command.onAck(body);
    if (command.tracked) {
      command.tracked.lastPosition = BigInt(body.position);
      command.tracked.lastRevision = body.revision;
    }
    return ack;
  }
}

function shanghaiMonth(): string {
  return new Date(Date.now() + 8 * 3600_000).toISOString().slice(0, 7);
}

/** One query; a view read right after this client's own commands checks read-your-writes on the way. */
async function runQuery(holder: ServiceHolder, open: readonly TrackedCase[], lastPosition: bigint): Promise<void> {
  const generation = await holder.current();
  const roll = Math.random();
  const tracked = open.length > 0 ? pick(open) : undefined;
  const year = Number(shanghaiMonth().slice(0, 4));
  let path: string;
  let actor: Actor = desk;
  if (roll < 0.3 || tracked === undefined) {
    const filter = pick(['', '&kind=hotline', '&status=in_progress', '&kind=petition&status=resolved', `&unit=${pick(units)}`]);
    path = `/api/cases?pageSize=20${filter}&minPosition=${lastPosition}`;
  } else if (roll < 0.55) {
    path = `/api/cases/${tracked.id}?minPosition=${tracked.lastPosition}`;
  } else if (roll < 0.8) {
    path = `/api/cases/${tracked.id}/history?minPosition=${tracked.lastPosition}`;
  } else if (roll < 0.9) {
    actor = supervisor;
    path = `/api/stats/timeliness?from=${year}-01-01&to=${year + 1}-01-01&groupBy=kind,unit`;
  } else {
    actor = supervisor;
    path = `/api/reports/monthly/${shanghaiMonth()}?format=json`;
  }
  const answer = await send(generation, actor, 'GET', path);
  if (answer === null) return;
  if (answer.status !== 200) {
    counters.noteUnexpected(`GET ${path} → ${answer.status} ${JSON.stringify(answer.body).slice(0, 300)}`, answer.status);
    return;
  }
  counters.queries += 1;
  if (tracked !== undefined && path.startsWith(`/api/cases/${tracked.id}?`)) {
    const view = answer.body as { revision: number };
    if (view.revision < tracked.lastRevision) counters.readYourWritesMisses += 1;
  }
}

async function client(holder: ServiceHolder, isStopping: () => boolean): Promise<void> {
  const open: TrackedCase[] = [];
  let lastPosition = 0n;
  while (!isStopping()) {
    const roll = Math.random();
    let command: Command | undefined;
    if (open.length === 0 || (roll < INTAKE_SHARE && open.length < OPEN_CASES_PER_CLIENT)) {
      command = intakeCommand(pick<Kind>(['petition', 'hotline', 'dispute']), open);
    } else if (roll < INTAKE_SHARE + LIFECYCLE_SHARE || open.length >= OPEN_CASES_PER_CLIENT) {
      command = lifecycleCommand(pick(open));
    }
    if (command === undefined) {
      await runQuery(holder, open, lastPosition);
      continue;
    }
    const ack = await runCommand(holder, command, isStopping);
    const tracked = command.tracked;
    if (ack !== null) {
      if (ack.position > lastPosition) lastPosition = ack.position;
      if (tracked?.status === 'closed') open.splice(open.indexOf(tracked), 1);
    } else if (tracked !== undefined && !isStopping()) {
      // Refused (counted above): the tracked status is not to be trusted any more.
      open.splice(open.indexOf(tracked), 1);
    }
  }
}

async function getJson<T>(generation: Generation, actor: Actor, path: string): Promise<{ status: number; body: T }> {
  const answer = await send(generation, actor, 'GET', path);
  if (answer === null) throw new Error(`GET ${path}: no answer`);
  return { status: answer.status, body: answer.body as T };
}

async function inBatches<T>(items: readonly T[], work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: CHECK_CONCURRENCY }, async () => {
      while (next < items.length) await work(items[next++]);
    }),
  );
}

function acksByCase(): Map<string, Ack[]> {
  const byCase = new Map<string, Ack[]>();
  for (const ack of ledger) byCase.set(ack.caseId, [...(byCase.get(ack.caseId) ?? []), ack]);
  return byCase;
}

/** Whether `events` (a case's history or stream, by revision) holds the acknowledged command's last event. */
function holds(events: readonly { revision: number; position: bigint; command: string; number?: unknown }[], ack: Ack): boolean {
  const event = events[ack.revision];
  if (event === undefined || event.revision !== ack.revision || event.position !== ack.position || event.command !== ack.command)
    return false;
  return ack.number === undefined || events[0].number === ack.number;
}

/** Every acknowledged command in the read models: the case's history (and view revision), read at least as far as it answered. */
async function missingFromReadModels(generation: Generation): Promise<Map<Ack, string>> {
  const missing = new Map<Ack, string>();
  await inBatches([...acksByCase()], async ([caseId, acks]) => {
    const position = acks.reduce((max, ack) => (ack.position > max ? ack.position : max), 0n);
    const view = await getJson<{ revision: number }>(generation, desk, `/api/cases/${caseId}?minPosition=${position}`);
    const history = await getJson<{ events: HistoryEntry[] }>(generation, desk, `/api/cases/${caseId}/history?minPosition=${position}`);
    const events =
      history.status === 200
        ? history.body.events.map((event) => ({
            revision: event.revision,
            position: BigInt(event.position),
            command: event.command,
            number: event.data.number,
          }))
        : [];
    for (const ack of acks) {
      const inView = view.status === 200 && view.body.revision >= ack.revision;
      const inHistory = holds(events, ack);
      if (inView && inHistory) continue;
      const viewSays = inView ? 'has it' : `${view.status}, revision ${view.body.revision}`;
      const historySays = inHistory ? 'has it' : `${history.status}, ${events.length} events`;
      missing.set(ack, `read models: view ${viewSays}, history ${historySays}`);
    }
  });
  return missing;
}

/** Every acknowledged command in the log file itself, read with the store's own adapter (the service stopped). */
async function missingFromLog(file: string): Promise<Set<Ack>> {
  const ids = new Set(ledger.map((ack) => ack.caseId));
  const streams = new Map<string, { revision: number; position: bigint; command: string; number?: unknown }[]>();
  const store = SqliteEventStore.open(file);
  try {
    for (let after = 0n; ;) {
      const events = await store.readAll({ after, maxCount: 10_000 });
      if (events.length === 0) break;
      for (const event of events) {
        const caseId = event.streamId.startsWith('case-') ? event.streamId.slice('case-'.length) : undefined;
        if (caseId === undefined || !ids.has(caseId)) continue;
        const stream = streams.get(caseId) ?? [];
        stream.push({
          revision: Number(event.revision),
          position: event.position,
          command: String(event.metadata.command),
          number: (event.data as { number?: unknown }).number,
        });
        streams.set(caseId, stream);
      }
      after = events[events.length - 1].position;
    }
  } finally {
    await store.close();
  }
  return new Set(ledger.filter((ack) => !holds(streams.get(ack.caseId) ?? [], ack)));
}

/** `node dist/apps/case-service/src/cli/cli.js verify` on the data folder. */
function cliVerify(dataDir: string): { ok: boolean; output: string } {
  const cli = join(dirname(compiledServiceEntryPoint()), 'cli', 'cli.js');
  const result = spawnSync(process.execPath, [cli, 'verify'], {
    cwd: repositoryRoot(),
    env: { ...process.env, CASES_ADMIN_PASSWORD: CHILD_ADMIN_PASSWORD, DATA_DIR: dataDir, NO_COLOR: '1' },
    encoding: 'utf8',
    timeout: 10 * 60_000,
  });
  // The progress bar redraws with carriage returns; the summary lines are what matter.
  const output = `${result.stdout}${result.stderr}`
    .split(/[\r\n]+/)
    .filter((line) => line.trim() !== '' && !line.startsWith('verify ['))
    .join('\n');
  return { ok: result.status === 0, output };
}

function rate(count: number, ms: number): string {
  return `${(count / (ms / 1000)).toFixed(1)}/s`;
}

function mb(bytes: number | undefined): string {
  return bytes === undefined || Number.isNaN(bytes) ? '–' : megabytes(bytes);
}

async function main(): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), 'soak-bench-'));
  const holder = new ServiceHolder(dataDir);
  console.log(
    `Soak: ${OPTIONS.seconds} s of mixed load, ${OPTIONS.clients} clients, SIGKILL + restart every ${OPTIONS.killEverySeconds} s, ` +
      `RSS sampled ${(RSS_AFTER_MS / 1000).toFixed(0)} s after each start (sooner when the next kill comes first); data in ${dataDir}`,
  );
  let stopping = false;
  let exitCode = 0;
  try {
    // The load, and the kill schedule, start once the first process is ready and the users signed in.
    await holder.start(undefined, () => performance.now() + Math.min(OPTIONS.killEverySeconds, OPTIONS.seconds) * 1000);
    const loadStarted = performance.now();
    const loadEnds = loadStarted + OPTIONS.seconds * 1000;
    const killAt = (kill: number): number => loadStarted + kill * OPTIONS.killEverySeconds * 1000;
    const clients = Array.from({ length: OPTIONS.clients }, () => client(holder, () => stopping));
    for (let kill = 1; killAt(kill) < loadEnds; kill++) {
      await sleep(killAt(kill) - performance.now());
      const killed = await holder.kill();
      const generation = await holder.start(killed, () => Math.min(killAt(kill + 1), loadEnds));
      console.log(
        `  kill ${kill} at ${((killed.killedAt - loadStarted) / 1000).toFixed(0)} s: ${holder.generations[generation.index - 1].cutOff} requests cut off, ` +
          `ready again in ${formatMs(generation.restartMs)} (log head ${generation.headAtStart}); ${formatCount(counters.acknowledged)} acknowledged so far`,
      );
      if (killAt(kill + 1) < Math.min(performance.now(), loadEnds)) {
        console.log('    (the restart took longer than the kill interval: the next kill comes at once; lengthen --kill-every)');
      }
    }
    await sleep(loadEnds - performance.now());
    stopping = true;
    // Commands in flight get their answers (or their resend is dropped): every acknowledgement is in the ledger before the checks.
    await Promise.all(clients);
    const loadMs = performance.now() - loadStarted;

    // One more kill right after the load, then the checks on a fresh process: the read models as recovery left them.
    const checked = await holder.start(await holder.kill(), undefined);
    const missingRead = await missingFromReadModels(checked);
    const verify = await getJson<{ intact: boolean; events: number; head: string; problems: string[] }>(
      checked,
      supervisor,
      '/api/audit/verify',
    );
    const checkedRss = statusBytes(checked.service.pid, 'VmRSS');
    await checked.service.stop();
    const missingLog = await missingFromLog(join(dataDir, 'events.db'));
    const cli = cliVerify(dataDir);

    const loaded = holder.generations.slice(0, -1);
    const restarts = holder.generations.slice(1);
    // The clients wait from the kill until every soak user has signed in again.
    const downtimeMs = loaded.slice(1).reduce((sum, generation) => sum + generation.restartMs + generation.signInMs, 0);
    const missing = ledger.filter((ack) => missingRead.has(ack) || missingLog.has(ack));
    const apiVerifyOk = verify.status === 200 && verify.body.intact;
    console.log('');
    console.log(`Load: ${(loadMs / 1000).toFixed(0)} s, ${loaded.length - 1} kills under load and one after it`);
    console.log(
      `  throughput: ${rate(counters.acknowledged, loadMs)} commands acknowledged, ${rate(counters.queries, loadMs)} queries answered ` +
        `(over the wall time; ${rate(counters.acknowledged, loadMs - downtimeMs)} and ${rate(counters.queries, loadMs - downtimeMs)} while up)`,
    );
    console.log(
      `  requests cut off by a kill: ${counters.cutOffByKill} (commands among them resent with their Idempotency-Key: ` +
        `${counters.resentAcknowledged} acknowledged on resend); errors while up: ${counters.errorsWhileUp}; ` +
        `unexpected answers: ${counters.unexpected} (5xx: ${counters.serverErrors}); read-your-writes misses in views: ${counters.readYourWritesMisses}; sign-ins again after a 401: ${counters.signInsAgain}`,
    );
    for (const sample of counters.unexpectedSamples) console.log(`    ${sample}`);
    console.log(`  failed starts (tried again): ${holder.startFailures.length}`);
    console.log('');
    console.log(
      'Per (re)start        kill→exit  kill→ready  sign-ins  log head  RSS (at +s after ready)  RSS before kill  acknowledged while up',
    );
    for (const generation of holder.generations) {
      const label =
        generation.index === 0 ? 'start (spawn→ready)' : `restart ${generation.index}${generation === checked ? ' (checks)' : ''}`;
      const rss =
        generation === checked
          ? `${mb(checkedRss)} after the checks`
          : `${mb(generation.rssAfterStartBytes)} (+${(generation.rssOffsetMs / 1000).toFixed(0)} s)`;
      console.log(
        `  ${label.padEnd(19)} ${formatMs(generation.exitMs).padStart(9)}  ${formatMs(generation.restartMs).padStart(10)}  ` +
          `${formatMs(generation.signInMs).padStart(8)}  ${generation.headAtStart.padStart(8)}  ${rss.padEnd(23)}  ${mb(generation.rssBeforeKillBytes).padEnd(15)}  ` +
          `${generation.acknowledgedAtKill === undefined ? '–' : formatCount(generation.acknowledgedAtKill - generation.acknowledgedAtStart)}`,
      );
    }
    const settled = loaded
      .map((generation) => generation.rssAfterStartBytes)
      .filter((bytes): bytes is number => bytes !== undefined && !Number.isNaN(bytes));
    if (settled.length > 0) {
      console.log(
        `  RSS after each start under load: min ${megabytes(Math.min(...settled))}, median ${megabytes(median(settled))}, ` +
          `max ${megabytes(Math.max(...settled))} (max/min ${(Math.max(...settled) / Math.min(...settled)).toFixed(2)}); ` +
          `kill→ready median ${formatMs(median(restarts.map((generation) => generation.restartMs)))}`,
      );
    }
    console.log('');
    console.log(`Commands acknowledged:        ${formatCount(ledger.length)} (${new Set(ledger.map((ack) => ack.caseId)).size} cases)`);
    console.log(`  found in the log:           ${formatCount(ledger.length - missingLog.size)}`);
    console.log(`  found in the read models:   ${formatCount(ledger.length - missingRead.size)}`);
    console.log(`  missing:                    ${missing.length}`);
    for (const ack of missing.slice(0, KEPT_UNEXPECTED)) {
      console.log(
        `    ${ack.command} on ${ack.caseId} at revision ${ack.revision}, position ${ack.position}: ` +
          `${missingLog.has(ack) ? 'not in the log' : 'in the log'}; ${missingRead.get(ack) ?? 'in the read models'}`,
      );
    }
    console.log(
      `GET /api/audit/verify:        ${apiVerifyOk ? 'intact' : 'FAILED'} (${verify.body.events} events, head ${verify.body.head}${
        verify.body.problems.length > 0 ? `; ${verify.body.problems.slice(0, 5).join('; ')}` : ''
      })`,
    );
    console.log(`cli verify:                   ${cli.ok ? 'passed' : 'FAILED'}`);
    for (const line of cli.output.split('\n')) console.log(`    ${line}`);
    if (missing.length > 0 || !apiVerifyOk || !cli.ok || counters.serverErrors > 0) exitCode = 1;
    console.log(exitCode === 0 ? 'Soak passed.' : 'Soak FAILED.');
  } finally {
    stopping = true;
    const last = holder.generations[holder.generations.length - 1];
    if (last?.service.running) await last.service.kill();
    if (OPTIONS.keepData) console.log(`Data kept in ${dataDir}`);
    else rmSync(dataDir, { recursive: true, force: true });
  }
  process.exitCode = exitCode;
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
