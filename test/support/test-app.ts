import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { NestExpressApplication } from '@nestjs/platform-express';
import request from 'supertest';
import type { Response } from 'supertest';
import { createApp } from '../../apps/case-service/src/bootstrap';
import { loadConfig } from '../../apps/case-service/src/config/app-config';
import { TestClock } from './test-clock';

/** Who a request acts as (sent as the trusted X-Actor-* headers). */
export interface TestActor {
  id: string;
  role: 'desk' | 'unit' | 'supervisor' | 'admin';
  unit?: string;
}

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
 * The real service (HTTP stack, SQLite event store and read models in a fresh temporary folder)
 * driven through supertest, with a hand-moved clock.
 */
export class TestApp {
  private constructor(
    readonly app: NestExpressApplication,
    readonly clock: TestClock,
    readonly dataDir: string,
  ) {}

  static async start(options: { clock?: TestClock; env?: Record<string, string> } = {}): Promise<TestApp> {
    const dataDir = mkdtempSync(join(tmpdir(), 'case-service-e2e-'));
    const clock = options.clock ?? new TestClock('2026-03-02T09:00:00+08:00');
    // The deadline scheduler (a 30-second timer by default) is off unless a suite asks for it, so
    // warnings and misses it would record at an arbitrary moment never change a history under test.
    const config = loadConfig({
      DATA_DIR: dataDir,
      TRUST_ACTOR_HEADERS: 'true',
      SCHEDULER_INTERVAL_MS: '0',
      ...(options.env ?? {}),
    });
    const app = await createApp(config, { clock, logger: false });
    await app.init();
    return new TestApp(app, clock, dataDir);
  }

  async stop(): Promise<void> {
    await this.app.close();
    rmSync(this.dataDir, { recursive: true, force: true });
  }

  get http() {
    return request(this.app.getHttpServer());
  }

  /** POST with JSON body, actor headers and the optional command headers. */
  post(path: string, body: unknown, options: CommandOptions = {}) {
    let req = this.http.post(path).set(actorHeaders(options.as ?? DESK));
    if (options.ifMatch !== undefined) req = req.set('If-Match', options.ifMatch);
    if (options.idempotencyKey !== undefined) req = req.set('Idempotency-Key', options.idempotencyKey);
    if (options.correlationId !== undefined) req = req.set('X-Correlation-Id', options.correlationId);
    return body === undefined ? req : req.send(body as object);
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
    return this.http.get(path).set(actorHeaders(as));
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

export function actorHeaders(actor: TestActor): Record<string, string> {
  return {
    'X-Actor-Id': actor.id,
    'X-Actor-Role': actor.role,
    ...(actor.unit !== undefined ? { 'X-Actor-Unit': encodeURIComponent(actor.unit) } : {}),
  };
}

/** Asserts an HTTP status, showing the response body when it differs (problem details say why). */
export function expectStatus(res: Response, status: number): void {
  if (res.status !== status) {
    const req = (res as unknown as { req?: { method?: string; path?: string } }).req;
    throw new Error(
      `Expected HTTP ${status}, got ${res.status} for ${req?.method} ${req?.path}: ${JSON.stringify(res.body ?? res.text)}`,
    );
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
