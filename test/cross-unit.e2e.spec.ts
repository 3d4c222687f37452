import { randomUUID } from 'node:crypto';
import { Workbook } from 'exceljs';
import type { Response } from 'supertest';
import { ROLES_EXTENSION } from '../apps/case-service/src/auth/auth.decorators';
import { hotlineBody, petitionBody } from './support/bodies';
import { ADMIN, DESK, TestApp, expectProblem, expectStatus, unitUser, type TestActor } from './support/test-app';

/*
 * The cross-unit sweep (docs/security.md, "What a unit sees"): a handling unit's user tries
 * another unit's case through every operation of the OpenAPI document that takes a case, and gets
 * exactly what a case that does not exist gets, same status and same body; every operation that
 * answers with cases (lists, statistics, the report in each format) holds nothing of it. The
 * operations come from /docs-json, so a route added later is swept without touching this file.
 */

const OTHER_UNIT = '市政所';
const OWN_UNIT = '小寨社区';
const VIEWER = unitUser(OWN_UNIT);
/** The other case's title and ticket number: words found nowhere else, so their absence means something. */
const OTHER_TITLE = '另一单位的保密工单标题';
const OTHER_TICKET = 'GD-CROSS-UNIT-0001';
const OTHER_PETITION_TITLE = '另一单位的保密信访标题';
/** Path parameters that name no case nor person: users and units of the directory, a report month. */
const NOT_ABOUT_A_CASE = new Set(['username', 'code', 'month']);

interface SchemaObject {
  $ref?: string;
  type?: string;
  format?: string;
  enum?: unknown[];
  example?: unknown;
  required?: string[];
  properties?: Record<string, SchemaObject>;
  items?: SchemaObject;
  minItems?: number;
  minLength?: number;
  minimum?: number;
  allOf?: SchemaObject[];
}

interface Operation {
  method: 'get' | 'post' | 'patch' | 'put' | 'delete';
  path: string;
  roles: string[];
  parameters: { name: string; in: string; schema?: SchemaObject; example?: unknown }[];
  body?: SchemaObject;
}

interface OpenApiDocument {
  paths: Record<string, Record<string, Record<string, unknown>>>;
  components: { schemas: Record<string, SchemaObject> };
}

describe('a unit trying another unit’s case', () => {
  let t: TestApp;
  let document: OpenApiDocument;
  let operations: Operation[];
  /** The other unit's cases: a hotline ticket and a petition (with a petitioner), both dispatched to 市政所. */
  let otherTicket: string;
  let otherPetition: string;
  let otherPersonId: string;
  /** A case of the viewer's own unit, as a link target that exists for it. */
  let ownCase: string;

  beforeAll(async () => {
    t = await TestApp.start();
    otherTicket = (await t.intake('hotline', hotlineBody({ platformTicketNo: OTHER_TICKET, title: OTHER_TITLE }))).body.id;
    await t.ok(otherTicket, 'dispatch', { unit: OTHER_UNIT });
    await t.ok(otherTicket, 'sign', {}, { as: unitUser(OTHER_UNIT) });
    // A command with an Idempotency-Key on the other case: the viewer sending the same key learns nothing.
    await t.ok(otherTicket, 'progress', { text: '已联系供电部门' }, { as: unitUser(OTHER_UNIT), idempotencyKey: 'cross-unit-key-1' });
    otherPetition = (await t.intake('petition', petitionBody({ title: OTHER_PETITION_TITLE }))).body.id;
    await t.ok(otherPetition, 'accept', {});
    await t.ok(otherPetition, 'dispatch', { unit: OTHER_UNIT });
    otherPersonId = (await t.view(otherPetition)).personal.petitioner.personId;
    ownCase = (await t.intake('hotline', hotlineBody({ title: '本单位工单' }))).body.id;
    await t.ok(ownCase, 'dispatch', { unit: OWN_UNIT });
    // A month of figures: the other unit's deadlines fall due and are missed, so the report has rows for it.
    t.clock.advance({ days: 20 });

    document = (await t.http.get('/docs-json')).body as OpenApiDocument;
    operations = Object.entries(document.paths).flatMap(([path, methods]) =>
      Object.entries(methods).map(([method, operation]) => ({
        method: method as Operation['method'],
        path,
        roles: (operation[ROLES_EXTENSION] as string[] | undefined) ?? [],
        parameters: (operation.parameters as Operation['parameters'] | undefined) ?? [],
        body: (operation.requestBody as { content?: Record<string, { schema?: SchemaObject }> } | undefined)?.content?.['application/json']
          ?.schema,
      })),
    );
  });
  afterAll(async () => {
    await t.stop();
  });

  /** An answer with the case id written as <id>: the rest must not tell the two cases apart. */
  function answer(res: Response, id: string) {
    const text = (res.text ?? '').split(id).join('<id>');
    return { status: res.status, contentType: res.headers['content-type'], body: text };
  }

  function resolve(schema: SchemaObject): SchemaObject {
    if (schema.$ref !== undefined) return resolve(document.components.schemas[schema.$ref.split('/').pop() as string]);
    if (schema.allOf?.length === 1) return resolve(schema.allOf[0]);
    return schema;
  }

  /**
   * A body the request validation accepts, built from the operation's schema: its required fields
   * with their example, first enum value or a plain value. A unit field names the viewer's own
   * unit and a link target its own case, so what answers is the case, not the body.
   */
  function sample(schema: SchemaObject, name = ''): unknown {
    const resolved = resolve(schema);
    if (name === 'unit') return OWN_UNIT;
    if (name === 'targetId') return ownCase;
    if (resolved.example !== undefined) return resolved.example;
    if (resolved.enum !== undefined) return resolved.enum[0];
    if (resolved.format === 'uuid') return randomUUID();
    if (resolved.format === 'date-time') return t.clock.iso();
    switch (resolved.type) {
      case 'object':
      case undefined:
        return Object.fromEntries((resolved.required ?? []).map((field) => [field, sample(resolved.properties?.[field] ?? {}, field)]));
      case 'array':
        return Array.from({ length: resolved.minItems ?? 0 }, () => sample(resolved.items ?? {}));
      case 'integer':
      case 'number':
        return resolved.minimum ?? 1;
      case 'boolean':
        return true;
      default:
        return 'x'.repeat(Math.max(1, resolved.minLength ?? 1));
    }
  }

  function send(
    operation: Operation,
    url: string,
    as: TestActor,
    headers: Record<string, string> = {},
    query: Record<string, string> = {},
  ) {
    const request = operation.method === 'get' ? t.get(url, as) : t.post(url, undefined, { as });
    for (const [name, value] of Object.entries(headers)) request.set(name, value);
    if (Object.keys(query).length > 0) request.query(query);
    if (operation.method !== 'get') request.send((operation.body === undefined ? {} : sample(operation.body)) as object);
    return request;
  }

  /** The variants an operation is tried with: bare, each query parameter alone, a reveal with its reason, and the command headers. */
  function variants(operation: Operation): { query: Record<string, string>; headers: Record<string, string>; label: string }[] {
    const query = operation.parameters.filter((parameter) => parameter.in === 'query');
    const value = (name: string): string =>
      ({ asOf: t.clock.iso(), minPosition: '1', reveal: 'personal', reason: '核实' })[name] ?? String(sample({}, name));
    const tried: { query: Record<string, string>; headers: Record<string, string>; label: string }[] = [
      { query: {}, headers: {}, label: 'bare' },
      ...query.map((parameter) => ({ query: { [parameter.name]: value(parameter.name) }, headers: {}, label: parameter.name })),
    ];
    if (query.some((parameter) => parameter.name === 'reveal')) {
      tried.push({ query: { reveal: 'personal', reason: '回访核实' }, headers: {}, label: 'reveal with a reason' });
    }
    if (operation.method !== 'get') {
      tried.push(
        { query: {}, headers: { 'If-Match': '"3"' }, label: 'If-Match' },
        { query: {}, headers: { 'Idempotency-Key': 'cross-unit-key-1' }, label: 'Idempotency-Key used on the other case' },
      );
    }
    return tried;
  }

  it('answers every operation that takes a case as it answers for a case that does not exist', async () => {
    const swept: string[] = [];
    for (const operation of operations) {
      const names = [...operation.path.matchAll(/\{(\w+)\}/g)].map((match) => match[1]);
      const unknownNames = names.filter((name) => name !== 'id' && name !== 'personId' && !NOT_ABOUT_A_CASE.has(name));
      // A new kind of path parameter must be placed here on purpose: does it name a case?
      expect({ path: operation.path, unknownNames }).toEqual({ path: operation.path, unknownNames: [] });
      const names_about_a_case = names.filter((name) => name === 'id' || name === 'personId');
      if (names_about_a_case.length === 0) continue;
      const targets = names.includes('id') ? [otherTicket, otherPetition] : [otherPersonId];
      for (const target of targets) {
        const missing = randomUUID();
        const url = (id: string) =>
          operation.path.replace(/\{(\w+)\}/g, (_whole, name: string) => (name === 'id' || name === 'personId' ? id : '2026-03'));
        for (const variant of variants(operation)) {
          const before = await t.history(otherTicket);
          const other = await send(operation, url(target), VIEWER, variant.headers, variant.query);
          const none = await send(operation, url(missing), VIEWER, variant.headers, variant.query);
          const where = `${operation.method.toUpperCase()} ${operation.path} (${variant.label}) on ${target === otherTicket ? 'the ticket' : target === otherPetition ? 'the petition' : 'the person'}`;
          expect({ where, answer: answer(other, target) }).toEqual({ where, answer: answer(none, missing) });
          expect({ where, leaks: [OTHER_TITLE, OTHER_PETITION_TITLE, OTHER_TICKET].some((word) => other.text.includes(word)) }).toEqual({
            where,
            leaks: false,
          });
          // Nothing was written to the other case either.
          expect((await t.history(otherTicket)).length).toBe(before.length);
          swept.push(where);
        }
      }
      // The operation reaches the case at all: for a unit that may call it, a case that does not exist is 404 with a valid body.
      if (operation.roles.includes('unit') && names.includes('id')) {
        const bare = await send(operation, operation.path.replace('{id}', randomUUID()), VIEWER);
        expect({ path: operation.path, status: bare.status }).toEqual({ path: operation.path, status: 404 });
      }
    }
    // Every case command of the domain was among them.
    expect(swept.filter((where) => where.startsWith('POST /api/cases/{id}/')).length).toBeGreaterThan(20);
    expect(swept.some((where) => where.startsWith('GET /api/cases/{id}/history'))).toBe(true);
  });

  it('finds nothing of the other unit’s cases in any list, statistic or report it may read', async () => {
    const leaks = (text: string) =>
      [otherTicket, otherPetition, OTHER_TITLE, OTHER_PETITION_TITLE, OTHER_TICKET, OTHER_UNIT].filter((word) => text.includes(word));
    for (const operation of operations) {
      if (operation.method !== 'get' || operation.path.includes('{') || operation.roles.includes('public')) continue;
      if (!operation.roles.includes('unit')) continue;
      const query = operation.path === '/api/stats/timeliness' ? { from: '2026-01-01', to: '2027-01-01', groupBy: 'unit,kind' } : {};
      const res = await t.get(operation.path, VIEWER).query(query);
      expect({ path: operation.path, status: res.status, leaks: leaks(res.text) }).toEqual({
        path: operation.path,
        status: 200,
        leaks: [],
      });
    }
    // The list with every filter that could name the other case.
    for (const filter of [{ text: OTHER_TITLE }, { text: OTHER_TICKET }, { unit: OTHER_UNIT }, { kind: 'petition' }, { overdue: 'true' }]) {
      const res = await t.get('/api/cases', VIEWER).query(filter);
      expect({ filter, leaks: leaks(res.text) }).toEqual({ filter, leaks: [] });
    }
    // The report in every format.
    for (const format of ['json', 'csv', 'html']) {
      const res = await t.get('/api/reports/monthly/2026-03', VIEWER).query({ format });
      expectStatus(res, 200);
      expect({ format, leaks: leaks(res.text) }).toEqual({ format, leaks: [] });
      // The desk sees the other unit's rows: the report was not empty to begin with.
      const desk = await t.get('/api/reports/monthly/2026-03', DESK).query({ format });
      expect(desk.text).toContain(OTHER_UNIT);
    }
    const xlsx = await t
      .get('/api/reports/monthly/2026-03', VIEWER)
      .query({ format: 'xlsx' })
      .buffer(true)
      .parse((res, callback) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => callback(null, Buffer.concat(chunks)));
      });
    const workbook = new Workbook();
    await workbook.xlsx.load(xlsx.body as Parameters<typeof workbook.xlsx.load>[0]);
    const cells: string[] = [];
    workbook.eachSheet((sheet) => sheet.eachRow((row) => row.eachCell((cell) => cells.push(String(cell.text)))));
    expect(cells.length).toBeGreaterThan(0);
    expect(leaks(cells.join('\n'))).toEqual([]);
  });

  it('answers a resent ticket number of another unit’s case without its id, number or differing fields', async () => {
    const res = await t.post('/api/hotline-tickets', hotlineBody({ platformTicketNo: OTHER_TICKET, title: OTHER_TITLE }), { as: VIEWER });
    const body = expectProblem(res, 403, 'CASE.FORBIDDEN');
    expect(JSON.stringify(body)).not.toContain(otherTicket);
    expect(body).not.toHaveProperty('fields');
    // An admin resending it gets the case as ever.
    expectStatus(
      await t.post('/api/hotline-tickets', hotlineBody({ platformTicketNo: OTHER_TICKET, title: OTHER_TITLE }), { as: ADMIN }),
      200,
    );
  });
});
