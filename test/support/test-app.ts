import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { DestinationStream } from 'pino';
import { JwtService } from '@nestjs/jwt';
import request from 'supertest';
import type { Response, Test } from 'supertest';
import { registerUnit, registerUser, type Actor } from '@cases/domain';
import { DirectoryService } from '../../apps/case-service/src/auth/directory.service';
import { createApp } from '../../apps/case-service/src/bootstrap';
import { loadConfig } from '../../apps/case-service/src/config/app-config';
import { createTestStores, type TestStores } from './test-stores';
import { TestClock } from './test-clock';

/** Who a request acts as: the test signs in as this user (a token minted for it, see `TestApp.tokenFor`). */
export interface TestActor {
  id: string;
  role: 'desk' | 'unit' | 'supervisor' | 'admin';
  unit?: string;
}

/** The units the suites dispatch to, seeded as the directory of every test service (code = name). */
export const TEST_UNITS = [
  '小寨社区',
  '市政所',
  '大雁塔社区',
  '大雁塔社区人民调解委员会',
  '曲江社区',
  '城市管理科',
  '司法所',
  '城管执法中队',
];
export const TEST_ADMIN_PASSWORD = 'test-admin-password';
/** Test users never sign in with a password: they get minted tokens. */
const UNUSABLE_PASSWORD_HASH = 'none';
const TEST_SETUP: Actor = { id: 'test-setup', role: 'system' };

export const DESK: TestActor = { id: 'desk-wang', role: 'desk' };
export const SUPERVISOR: TestActor = { id: 'leader-li', role: 'supervisor' };
export const ADMIN: TestActor = { id: 'admin-zhao', role: 'admin' };
export function unitUser(unit: string, id = `unit-${Buffer.from(unit).toString('hex').slice(0, 12)}`): TestActor {
  return { id, role: 'unit', unit };
}

export interface CommandOptions {
  as?: TestActor;
  ifMatch?: string;
  idempotencyKey?: string;
  correlationId?: string;
}

/**
 * The real service (HTTP stack, event store and read models in a fresh temporary folder, or in a
 * PostgreSQL database of its own under TEST_STORES=postgres) driven through supertest, with a
 * hand-moved clock.
 */
export class TestApp {
  private constructor(
    readonly app: NestExpressApplication,
    readonly clock: TestClock,
    readonly dataDir: string,
    /** Where the app keeps its log, read models and keys (test/support/test-stores.ts). */
    readonly stores: TestStores,
    private readonly ownsStores: boolean,
  ) {}

  /**
   * `logDestination`: where the service's JSON log goes (a suite that reads it); silent otherwise.
   * `stores`: stores another app used before (a restart on the same log), which `stop` leaves;
   * by default the app gets stores of its own, dropped when it stops.
   */
  static async start(
    options: { clock?: TestClock; env?: Record<string, string>; logDestination?: DestinationStream; stores?: TestStores } = {},
  ): Promise<TestApp> {
    const dataDir = mkdtempSync(join(tmpdir(), 'case-service-e2e-'));
    const clock = options.clock ?? new TestClock('2026-03-02T09:00:00+08:00');
    // The deadline scheduler (a 30-second timer by default) is off unless a suite asks for it, so
    // warnings and misses it would record at an arbitrary moment never change a history under test.
    const unitsFile = join(dataDir, 'units.json');
    writeFileSync(unitsFile, JSON.stringify({ units: TEST_UNITS.map((name) => ({ code: name, name, type: 'community' })) }));
    // TEST_STORES=postgres (the e2e-postgres jest project): the event log, the read models and the
    // people's keys live in a PostgreSQL database made for this app and dropped when it stops.
    const stores = options.stores ?? (await createTestStores());
    const config = loadConfig({
      ...stores.env,
      DATA_DIR: dataDir,
      SCHEDULER_INTERVAL_MS: '0',
      UNITS_FILE: unitsFile,
      CASES_ADMIN_PASSWORD: TEST_ADMIN_PASSWORD,
      ...(options.env ?? {}),
    });
    const app = await createApp(config, {
      clock,
      ...(options.logDestination ? { logDestination: options.logDestination } : { logger: false }),
    });
    await app.init();
    const testApp = new TestApp(app, clock, dataDir, stores, options.stores === undefined);
    // The usual actors exist from the start, so creating one never shows up inside a test's own
    // before/after comparison of the log.
    for (const actor of [DESK, SUPERVISOR, ADMIN, ...TEST_UNITS.map((unit) => unitUser(unit))]) await testApp.tokenFor(actor);
    return testApp;
  }

  private readonly provisioned = new Map<string, Promise<void>>();

  /**
   * A valid access token for `actor`, as sign-in would issue it: the user (and a unit user's unit)
   * is created in the directory the first time, through the same directory service the admin API
   * uses, and the token is signed with the service's own key.
   */
  async tokenFor(actor: TestActor): Promise<string> {
    let provisioning = this.provisioned.get(actor.id);
    if (provisioning === undefined) {
      provisioning = this.provision(actor);
      this.provisioned.set(actor.id, provisioning);
    }
    await provisioning;
    const user = (await this.app.get(DirectoryService).fresh()).users.get(actor.id);
    if (user === undefined) throw new Error(`test user ${actor.id} was not created`);
    return this.app
      .get(JwtService)
      .sign(
        { sub: user.username, role: user.role, ...(user.unit !== undefined && { unit: user.unit }), ep: user.sessionEpoch, typ: 'access' },
        { expiresIn: 3600 },
      );
  }

  /** The Authorization header of `as`, for a raw request built on `http`. */
  async authorization(as: TestActor = DESK): Promise<Record<string, string>> {
    return { Authorization: `Bearer ${await this.tokenFor(as)}` };
  }

  private async provision(actor: TestActor): Promise<void> {
    const directory = this.app.get(DirectoryService);
    const unit = actor.unit;
    await directory.change(TEST_SETUP, (current) => [
      ...(unit !== undefined && !current.units.has(unit) ? registerUnit(current, { code: unit, name: unit, type: 'community' }) : []),
    ]);
    await directory.change(TEST_SETUP, (current) =>
      current.users.has(actor.id)
        ? []
        : registerUser(current, {
            username: actor.id,
            displayName: actor.id,
            role: actor.role,
            unit,
            passwordHash: UNUSABLE_PASSWORD_HASH,
          }),
    );
  }

  async stop(): Promise<void> {
    await this.app.close();
    if (this.ownsStores) await this.stores.drop();
    rmSync(this.dataDir, { recursive: true, force: true });
  }

  get http() {
    return request(this.app.getHttpServer());
  }

  /** POST with JSON body, signed in as `options.as` (the desk by default), with the optional command headers. */
  post(path: string, body: unknown, options: CommandOptions = {}) {
    return new SignedRequest(this.tokenFor(options.as ?? DESK), (token) => {
      let req = this.http.post(path).set('Authorization', `Bearer ${token}`);
      if (options.ifMatch !== undefined) req = req.set('If-Match', options.ifMatch);
      if (options.idempotencyKey !== undefined) req = req.set('Idempotency-Key', options.idempotencyKey);
      if (options.correlationId !== undefined) req = req.set('X-Correlation-Id', options.correlationId);
      return body === undefined ? req : req.send(body as object);
    });
  }

  /** POST /api/cases/{id}/{action}. */
  act(caseId: string, action: string, body: unknown = {}, options: CommandOptions = {}) {
    return this.post(`/api/cases/${caseId}/${action}`, body, options);
  }

  /** A command expected to succeed: fails the test with the problem details when it does not. */
  async ok(caseId: string, action: string, body: unknown = {}, options: CommandOptions = {}): Promise<Response> {
    const res = await this.act(caseId, action, body, options);
    expectStatus(res, 200);
    return res;
  }

  async intake(kind: 'petition' | 'hotline' | 'dispute', body: unknown, options: CommandOptions = {}): Promise<Response> {
    const res = await this.post(INTAKE_PATH[kind], body, options);
    expectStatus(res, 201);
    return res;
  }

  get(path: string, as: TestActor = DESK) {
    return new SignedRequest(this.tokenFor(as), (token) => this.http.get(path).set('Authorization', `Bearer ${token}`));
  }

  async view(caseId: string, as: TestActor = DESK): Promise<any> {
    const res = await this.get(`/api/cases/${caseId}`, as);
    expectStatus(res, 200);
    return res.body;
  }

  async history(caseId: string, as: TestActor = DESK): Promise<any[]> {
    const res = await this.get(`/api/cases/${caseId}/history`, as);
    expectStatus(res, 200);
    return res.body.events;
  }

  async list(query: Record<string, string | number | boolean> = {}, as: TestActor = DESK): Promise<any> {
    const res = await this.get('/api/cases', as).query(query);
    expectStatus(res, 200);
    return res.body;
  }

  async health(): Promise<any> {
    const res = await this.http.get('/health');
    expectStatus(res, 200);
    return res.body;
  }
}

export const INTAKE_PATH = {
  petition: '/api/petitions',
  hotline: '/api/hotline-tickets',
  dispute: '/api/disputes',
} as const;

/**
 * A supertest request that is sent once the actor's token is ready. It offers the builder calls
 * the suites use (`query`, `set`, `send`, `buffer`, `parse`) and is awaited like supertest's own.
 */
export class SignedRequest implements PromiseLike<Response> {
  private readonly steps: ((test: Test) => Test)[] = [];

  constructor(
    private readonly token: Promise<string>,
    private readonly build: (token: string) => Test,
  ) {}

  query(value: string | object): this {
    this.steps.push((test) => test.query(value));
    return this;
  }

  set(field: string, value: string): this {
    this.steps.push((test) => test.set(field, value));
    return this;
  }

  send(body: string | object): this {
    this.steps.push((test) => test.send(body));
    return this;
  }

  buffer(value = true): this {
    this.steps.push((test) => test.buffer(value));
    return this;
  }

  parse(parser: Parameters<Test['parse']>[0]): this {
    this.steps.push((test) => test.parse(parser));
    return this;
  }

  then<Result = Response, Failure = never>(
    onFulfilled?: ((response: Response) => Result | PromiseLike<Result>) | null,
    onRejected?: ((reason: unknown) => Failure | PromiseLike<Failure>) | null,
  ): PromiseLike<Result | Failure> {
    // supertest's Test is itself awaitable: resolving with it sends the request.
    const sent: Promise<Response> = this.token.then((token) => this.steps.reduce((test, step) => step(test), this.build(token)));
    return sent.then(onFulfilled, onRejected);
  }
}

/** Asserts an HTTP status, showing the response body when it differs (problem details say why). */
export function expectStatus(res: Response, status: number): void {
  if (res.status !== status) {
    const req = (res as unknown as { req?: { method?: string; path?: string } }).req;
    throw new Error(`Expected HTTP ${status}, got ${res.status} for ${req?.method} ${req?.path}: ${JSON.stringify(res.body ?? res.text)}`);
  }
}

/** Asserts the RFC 9457 problem-details shape and content type, and returns the body. */
export function expectProblem(res: Response, status: number, code: string): any {
  expectStatus(res, status);
  expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
  expect(res.body).toEqual(
    expect.objectContaining({
      type: expect.stringMatching(/^https?:\/\/\S+$/),
      title: expect.any(String),
      status,
      detail: expect.any(String),
      code,
    }),
  );
  expect(res.body.title.length).toBeGreaterThan(0);
  expect(res.body.detail.length).toBeGreaterThan(0);
  return res.body;
}

/** The event types of a history, in order. */
export function typesOf(events: readonly { type: string }[]): string[] {
  return events.map((event) => event.type);
}
