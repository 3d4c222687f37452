/**
 * Issue 8, item 1: bad input gets a 4xx problem details, quickly, and writes nothing. First each
 * finding of the issue as it was seen, then a property-based run (fast-check) of ten thousand
 * generated requests across every route the OpenAPI document lists: hostile bodies, headers,
 * query strings and path parameters. No answer may be a 5xx or take a second, every answer must
 * be problem details or a success, and the event store's head must not move.
 */
import type { AddressInfo } from 'node:net';
import fc from 'fast-check';
import request from 'supertest';
import { EVENT_STORE, type EventStore } from '@cases/event-store';
import { ADMIN, DESK, SUPERVISOR, TestApp, expectProblem, expectStatus } from './support/test-app';
import { hotlineBody, petitionBody } from './support/bodies';
import { TestClock } from './support/test-clock';

const START = '2026-03-02T09:00:00+08:00';
const UNKNOWN_CASE = '7d0c3a52-9a55-4c7e-8f5e-2f6d1b0c9e11';
/**
 * Nothing in the issue was slower than this once fixed (the worst was 13 s before); the fuzz asserts
 * the same bound. It is the only time bound here: a tighter one failed on a loaded 2-core machine
 * while the work stayed bounded (the answer's size shows that).
 */
const SLOWEST_ANSWER_MS = 1_000;
/**
 * 10,000 on the embedded store. The e2e-postgres rerun (jest.config.js) sends 1,000: nearly every
 * request is refused before the store, so more would repeat the SQLite run's work at two minutes a run.
 */
const FUZZ_RUNS = process.env.TEST_STORES === 'postgres' ? 1_000 : 10_000;

let t: TestApp;
let baseUrl: string;
let admin: Record<string, string>;
let desk: Record<string, string>;

beforeAll(async () => {
  t = await TestApp.start({ clock: new TestClock(START) });
  admin = await t.authorization(ADMIN);
  desk = await t.authorization(DESK);
  // One listening server for the whole suite: supertest would otherwise open a server per request.
  const server = t.app.getHttpServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await t.stop();
});

beforeEach(() => {
  t.clock.set(START);
});

function head(): Promise<bigint> {
  return t.app.get<EventStore>(EVENT_STORE).headPosition();
}

function http() {
  return request(baseUrl);
}

/** A JSON text sent as it is, bytes and all (supertest would serialise a Buffer). */
function postRaw(path: string, body: string | Buffer, headers: Record<string, string> = {}) {
  return http()
    .post(path)
    .set({ 'Content-Type': 'application/json', ...desk, ...headers })
    .serialize((data: unknown) => data as string)
    .send(body as unknown as string);
}

async function timed<T>(run: () => Promise<T>): Promise<[T, number]> {
  const started = performance.now();
  const result = await run();
  return [result, performance.now() - started];
}

describe('bodies', () => {
  it('over 1 MB is 413, before the body is read', async () => {
    const before = await head();
    const res = await postRaw('/api/petitions', JSON.stringify(petitionBody({ description: '长'.repeat(400_000) })));
    expectProblem(res, 413, 'HTTP.413');
    expect(res.body.detail).toMatch(/1048576 bytes/);
    expect(await head()).toBe(before);
  });

  it('nested deeper than 16 levels is 400 (a hundred thousand levels too), quickly and briefly', async () => {
    const before = await head();
    for (const depth of [17, 100_000]) {
      const [res, ms] = await timed(() => postRaw('/api/petitions', '['.repeat(depth) + ']'.repeat(depth)));
      expect(expectProblem(res, 400, 'REQUEST.INVALID').errors).toEqual([
        { field: '', message: 'the body nests objects and arrays deeper than 16 levels' },
      ]);
      expect(ms).toBeLessThan(SLOWEST_ANSWER_MS);
    }
    // Sixteen levels are still a body like any other: it is refused for what it says, not its depth.
    const sixteen = await postRaw(
      '/api/petitions',
      JSON.stringify(petitionBody({ category: JSON.parse('['.repeat(15) + ']'.repeat(15)) })),
    );
    expect(expectProblem(sixteen, 400, 'REQUEST.INVALID').errors).toEqual([{ field: 'category', message: 'category must be a string' }]);
    expect(await head()).toBe(before);
  });

  it('with tens of thousands of members is refused in milliseconds with a short answer', async () => {
    const before = await head();
    const members = Object.fromEntries(Array.from({ length: 50_000 }, (_, index) => [`field${index}`, index]));
    const [res, ms] = await timed(() => postRaw('/api/petitions', JSON.stringify(members)));
    expect(expectProblem(res, 400, 'REQUEST.INVALID').errors).toEqual([{ field: '', message: 'the body holds more than 2000 members' }]);
    expect(ms).toBeLessThan(SLOWEST_ANSWER_MS);
    expect(res.text.length).toBeLessThan(1_000);
    expect(await head()).toBe(before);
  });

  it('lists at most 20 field errors and says how many there were', async () => {
    const unknown = Object.fromEntries(Array.from({ length: 500 }, (_, index) => [`surprise${index}`, 'x'.repeat(300)]));
    const res = await t.post('/api/petitions', { ...petitionBody(), ...unknown });
    const problem = expectProblem(res, 400, 'REQUEST.INVALID');
    expect(problem.errors).toHaveLength(20);
    expect(problem.errorCount).toBe(500);
    expect(problem.detail).toMatch(/and 480 more$/);
    expect(res.text.length).toBeLessThan(5_000);
  });

  it('invalid UTF-8, a lone surrogate and NUL in text are 400 naming where; nothing is stored as mojibake', async () => {
    const before = await head();
    const valid = JSON.stringify(petitionBody({ title: 'TITLE' }));
    const [prefix, suffix] = valid.split('TITLE');
    const invalidUtf8 = Buffer.concat([Buffer.from(prefix), Buffer.from([0xc3, 0x28, 0xff]), Buffer.from(suffix)]);
    expect(expectProblem(await postRaw('/api/petitions', invalidUtf8), 400, 'REQUEST.INVALID').errors).toEqual([
      { field: '', message: 'the body is not valid UTF-8' },
    ]);
    for (const [text, message] of [
      ['楼道\\ud800堆物', 'must not contain a lone UTF-16 surrogate (not a character)'],
      ['楼道\\udfff', 'must not contain a lone UTF-16 surrogate (not a character)'],
      ['楼道\\u0000堆物', 'must not contain control characters (U+0000)'],
      ['响铃\\u0007', 'must not contain control characters (U+0007)'],
    ]) {
      const res = await postRaw('/api/petitions', `${prefix}${text}${suffix}`);
      expect(expectProblem(res, 400, 'REQUEST.INVALID').errors).toEqual([{ field: 'title', message }]);
    }
    const nested = await postRaw('/api/petitions', JSON.stringify(petitionBody({ petitioner: { name: 'x\u0000' } })));
    expect(expectProblem(nested, 400, 'REQUEST.INVALID').errors).toEqual([
      { field: 'petitioner.name', message: 'must not contain control characters (U+0000)' },
    ]);
    expect(await head()).toBe(before);
    // A pair of surrogates is one character, and text with tabs and line breaks is text.
    const fine = await t.intake('petition', petitionBody({ title: '𠀋楼道', description: '第一行\n第二行\t完' }));
    expect((await t.view(fine.body.id)).title).toBe('𠀋楼道');
  });

  it('a charset other than UTF-8, a content coding, or another media type is 415', async () => {
    const before = await head();
    const body = JSON.stringify(petitionBody());
    const cases: [Record<string, string>, RegExp][] = [
      [{ 'Content-Type': 'application/json; charset=latin1' }, /charset 'latin1'/],
      [{ 'Content-Type': 'application/json; charset="UTF-16"' }, /charset 'UTF-16'/],
      [{ 'Content-Encoding': 'gzip' }, /Content-Encoding 'gzip'/],
      [{ 'Content-Encoding': 'br' }, /Content-Encoding 'br'/],
      [{ 'Content-Type': 'text/plain' }, /'text\/plain'/],
      [{ 'Content-Type': 'application/x-www-form-urlencoded' }, /'application\/x-www-form-urlencoded'/],
    ];
    for (const [headers, detail] of cases) {
      const res = await postRaw('/api/petitions', body, headers);
      expect(expectProblem(res, 415, 'HTTP.415').detail).toMatch(detail);
    }
    expect(await head()).toBe(before);
    expectStatus(await postRaw('/api/petitions', body, { 'Content-Type': 'application/json; charset=UTF-8' }), 201);
  });
});

describe('request-id headers', () => {
  const FORMAT = /a UUID, or a token of 1-64 characters/;

  it('a phone number, a space, a long or an empty value in X-Correlation-Id, X-Causation-Id or Idempotency-Key is 400 and nothing is stored', async () => {
    const before = await head();
    const bad = ['13812341234', 'corr 1', 'x'.repeat(65), '', 'caf\u00e9', 'id-6101131990', 'a,b'];
    for (const header of ['X-Correlation-Id', 'X-Causation-Id', 'Idempotency-Key']) {
      for (const value of bad) {
        const res = await http()
          .post('/api/petitions')
          .set({ ...desk, [header]: value })
          .send(petitionBody());
        const problem = expectProblem(res, 400, 'REQUEST.INVALID');
        expect(problem.errors).toEqual([{ field: header, message: expect.stringMatching(FORMAT) }]);
      }
    }
    // On a query too: the correlation id goes into every log line of the request.
    expectProblem(
      await http()
        .get('/api/cases')
        .set({ ...desk, 'X-Correlation-Id': '13812341234' }),
      400,
      'REQUEST.INVALID',
    );
    expect(await head()).toBe(before);
  });

  it('a well-formed id is recorded on the events, echoed in the answer, and shown in the history', async () => {
    const res = await http()
      .post('/api/petitions')
      .set({ ...desk, 'X-Correlation-Id': 'desk-2026-03-02.a1', 'X-Causation-Id': '1b4e28ba-2fa1-11d2-883f-0016d3cca427' })
      .send(petitionBody());
    expectStatus(res, 201);
    expect(res.headers['x-correlation-id']).toBe('desk-2026-03-02.a1');
    const [registered] = await t.history(res.body.id);
    expect(registered).toMatchObject({ correlationId: 'desk-2026-03-02.a1', causationId: '1b4e28ba-2fa1-11d2-883f-0016d3cca427' });
    // Without one, the service makes one, and answers with it.
    const plain = await t.intake('petition', petitionBody());
    expect(plain.headers['x-correlation-id']).toMatch(/^[0-9a-f-]{36}$/);
    expect((await t.history(plain.body.id))[0].correlationId).toBe(plain.headers['x-correlation-id']);
  });
});

describe('query strings', () => {
  it('page and pageSize are bounded whole numbers, and the message says what is wrong', async () => {
    const messages = async (query: Record<string, string>) =>
      expectProblem(await t.get('/api/cases').query(query), 400, 'REQUEST.INVALID').errors;
    expect(await messages({ page: '99999999999999999999' })).toEqual([
      { field: 'page', message: 'page must be a whole number from 1 to 100000' },
    ]);
    expect(await messages({ page: '100001' })).toEqual([{ field: 'page', message: 'page must be a whole number from 1 to 100000' }]);
    expect(await messages({ pageSize: 'abc' })).toEqual([{ field: 'pageSize', message: 'pageSize must be a whole number from 1 to 100' }]);
    expect(await messages({ pageSize: '1.5' })).toEqual([{ field: 'pageSize', message: 'pageSize must be a whole number from 1 to 100' }]);
    expect(await messages({ dueWithinHours: '-3' })).toEqual([
      { field: 'dueWithinHours', message: 'dueWithinHours must be a whole number from 1 to 8760' },
    ]);
    expect(await t.list({ page: 100000, pageSize: 100 })).toMatchObject({ items: [], page: 100000, pageSize: 100 });
  });

  it('an impossible instant is 400, never rolled over', async () => {
    for (const [path, query] of [
      ['/api/cases', { from: '2026-02-30' }],
      ['/api/cases', { to: '2026-02-29T10:00:00+08:00' }],
      [`/api/cases/${UNKNOWN_CASE}`, { asOf: '2026-02-30T10:00:00+08:00' }],
      ['/api/stats/timeliness', { from: '2026-02-30', to: '2026-03-01' }],
    ] as const) {
      const res = await t.get(path).query(query);
      const [field] = Object.keys(query);
      expect(expectProblem(res, 400, 'REQUEST.INVALID').errors).toEqual([{ field, message: expect.stringMatching(/exists/) }]);
    }
  });

  it('a parameter given twice, or not percent-encoded UTF-8, is 400', async () => {
    expect(expectProblem(await t.get('/api/cases?page=1&page=2'), 400, 'REQUEST.INVALID').errors).toEqual([
      { field: 'page', message: 'page must be given at most once' },
    ]);
    expect(expectProblem(await t.get('/api/cases?text=%E0%A4%A'), 400, 'REQUEST.INVALID').errors).toEqual([
      { field: 'text', message: 'the query string must be percent-encoded UTF-8' },
    ]);
    expect(expectProblem(await t.get('/api/cases?text=%00'), 400, 'REQUEST.INVALID').errors).toEqual([
      { field: 'text', message: 'text must not contain control characters (U+0000)' },
    ]);
  });

  it('unknown query parameters are refused on every route the OpenAPI document lists', async () => {
    const before = await head();
    const routes = await documentedRoutes();
    expect(routes.length).toBeGreaterThan(30);
    for (const route of routes) {
      const path = route.template.replace(/\{[^}]+\}/g, (name) => (name === '{month}' ? '2026-03' : UNKNOWN_CASE));
      const res = await http()[route.method](`${path}?surprise=1`).set(admin);
      const problem = expectProblem(res, 400, 'REQUEST.INVALID');
      expect(problem.errors).toContainEqual({
        field: 'surprise',
        message: expect.stringMatching(/should not exist|unknown query parameter/),
      });
    }
    expect(await head()).toBe(before);
  });
});

describe('instants lie in a plausible range', () => {
  it('occurredAt, platformDeadline and a supervision dueAt before 2000 or more than five years ahead are 400', async () => {
    const before = await head();
    const cases: [string, unknown, string][] = [
      ['/api/petitions', petitionBody({ occurredAt: '0100-03-02T09:00:00+08:00' }), 'occurredAt'],
      ['/api/petitions', petitionBody({ occurredAt: '1999-12-31T23:59:59+08:00' }), 'occurredAt'],
      ['/api/hotline-tickets', hotlineBody({ platformDeadline: '1970-01-01T00:00:00Z' }), 'platformDeadline'],
      ['/api/hotline-tickets', hotlineBody({ platformDeadline: '9999-12-31T23:59:59+08:00' }), 'platformDeadline'],
      [`/api/cases/${UNKNOWN_CASE}/supervise`, { instruction: '加快办理', dueAt: '9999-01-01T00:00:00+08:00' }, 'dueAt'],
      [`/api/cases/${UNKNOWN_CASE}/note`, { text: '备注', occurredAt: '0001-01-01T00:00:00Z' }, 'occurredAt'],
    ];
    for (const [path, body, field] of cases) {
      const res = await t.post(path, body, { as: SUPERVISOR });
      expect(expectProblem(res, 400, 'REQUEST.INVALID').errors).toEqual([
        { field, message: `${field} must lie from 2000-01-01 to 5 years from now` },
      ]);
    }
    expect(await head()).toBe(before);
  });

  it('asOf and the statistics period are held to the same range', async () => {
    for (const [path, query, field] of [
      [`/api/cases/${UNKNOWN_CASE}`, { asOf: '0100-01-01' }, 'asOf'],
      ['/api/stats/timeliness', { from: '0100-01-01', to: '2026-01-01' }, 'from'],
      ['/api/stats/timeliness', { from: '2026-01-01', to: '9999-01-01' }, 'to'],
      ['/api/cases', { from: '1900-01-01' }, 'from'],
    ] as const) {
      const res = await t.get(path).query(query);
      expect(expectProblem(res, 400, 'REQUEST.INVALID').errors).toEqual([
        { field, message: `${field} must lie from 2000-01-01 to 5 years from now` },
      ]);
    }
  });

  it('a report of month 0000-01, or of a month not begun, is 400; the month under way is reported', async () => {
    const month = async (value: string) => t.get(`/api/reports/monthly/${value}`);
    expect(expectProblem(await month('0000-01'), 400, 'REQUEST.INVALID').errors).toEqual([
      { field: 'month', message: 'the month must be 2000-01 or later' },
    ]);
    expect(expectProblem(await month('2026-04'), 400, 'REQUEST.INVALID').errors).toEqual([
      { field: 'month', message: 'the month has not begun yet' },
    ]);
    expect(expectProblem(await month('2026-13'), 400, 'REQUEST.INVALID').errors).toEqual([
      { field: 'month', message: 'expected a month as YYYY-MM' },
    ]);
    expectStatus(await month('2026-03'), 200);
    t.clock.set('2026-03-31T23:59:59+08:00');
    expectProblem(await month('2026-04'), 400, 'REQUEST.INVALID');
    t.clock.set('2026-04-01T00:00:00+08:00');
    expectStatus(await month('2026-04'), 200);
  });
});

describe('a what-if policy', () => {
  it('with a limit or an extension beyond its bound is 400 at once, naming it', async () => {
    const policy = (await defaultPolicy()) as any;
    policy.petition.normal.acceptance.limit = { amount: 1_000_000, unit: 'working-days' };
    policy.petition.normal.reply.extension = { maxAmount: 30, maxCount: 1_000_000, unit: 'calendar-days' };
    const [res, ms] = await timed(async () =>
      t.post('/api/stats/timeliness/what-if', { from: '2026-01-01', to: '2027-01-01', policy }, { as: SUPERVISOR }),
    );
    expect(expectProblem(res, 400, 'REQUEST.INVALID').errors).toEqual(
      expect.arrayContaining([
        { field: 'policy.petition.normal.acceptance.limit.amount', message: 'expected at most 250 working-days' },
        { field: 'policy.petition.normal.reply.extension.maxCount', message: 'expected at most 10' },
      ]),
    );
    expect(ms).toBeLessThan(SLOWEST_ANSWER_MS);
  });
});

describe('every route answers problem details', () => {
  it('an unknown route is 404, a method the route does not answer 405 with Allow', async () => {
    expectProblem(await http().get('/api/nothing-here').set(desk), 404, 'HTTP.404');
    const wrong = await http().delete('/api/petitions').set(desk);
    expect(expectProblem(wrong, 405, 'HTTP.405').allowed).toEqual(['POST']);
    expect(wrong.headers.allow).toBe('POST');
    const put = await http().put(`/api/cases/${UNKNOWN_CASE}`).set(desk).send({});
    expect(expectProblem(put, 405, 'HTTP.405').allowed).toEqual(['GET', 'HEAD']);
    expectProblem(await http().get('/api/petitions').set(desk), 405, 'HTTP.405');
  });

  it('headers over the server limit are 431 problem details', async () => {
    const res = await http()
      .get('/api/cases')
      .set({ ...desk, 'X-Padding': 'x'.repeat(20_000) });
    expectProblem(res, 431, 'HTTP.431');
  });
});

// ---------------------------------------------------------------- property-based

interface Route {
  method: 'get' | 'post' | 'patch' | 'put' | 'delete';
  template: string;
  query: string[];
  bodyFields: string[];
}

async function documentedRoutes(): Promise<Route[]> {
  const res = await http().get('/docs-json');
  expectStatus(res, 200);
  const document = res.body as {
    paths: Record<
      string,
      Record<string, { parameters?: { in: string; name: string }[]; requestBody?: { content?: Record<string, { schema?: unknown }> } }>
    >;
    components?: { schemas?: Record<string, { properties?: Record<string, unknown> }> };
  };
  const schemaFields = (schema: unknown): string[] => {
    const ref = (schema as { $ref?: string } | undefined)?.$ref;
    const resolved = ref ? document.components?.schemas?.[ref.split('/').pop() as string] : (schema as { properties?: object } | undefined);
    return Object.keys(resolved?.properties ?? {});
  };
  return Object.entries(document.paths).flatMap(([template, operations]) =>
    Object.entries(operations).map(([method, operation]) => ({
      method: method as Route['method'],
      template,
      query: (operation.parameters ?? []).filter((parameter) => parameter.in === 'query').map((parameter) => parameter.name),
      bodyFields: schemaFields(operation.requestBody?.content?.['application/json']?.schema),
    })),
  );
}

async function defaultPolicy(): Promise<unknown> {
  const { DEFAULT_POLICY_CONFIG } = await import('@cases/domain');
  return JSON.parse(JSON.stringify(DEFAULT_POLICY_CONFIG));
}

/** Strings a client might send by mistake or by malice, short enough for a header or a query. */
const shortHostileString = fc.oneof(
  fc.string(),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  fc.constantFrom(
    '',
    ' ',
    '\u0000',
    'a\u0000b',
    '\ud800',
    'x\udfff',
    '\u202e\u202d',
    '\u0007\u001b[31m',
    '0100-03-02T09:00:00+08:00',
    '2026-02-30T09:00:00+08:00',
    '2026-02-30',
    '9999-12-31T23:59:59+08:00',
    '1970-01-01T00:00:00Z',
    '+275760-09-13T00:00:00Z',
    '13812341234',
    '610113199001011234',
    '__proto__',
    'constructor',
    '%00',
    '../../etc/passwd',
    "' OR 1=1 --",
    '<script>alert(1)</script>',
    '99999999999999999999',
    '-1',
    'NaN',
    '1e309',
  ),
);

/** In a body a string may also be long: longer than any field allows, within the body limit. */
const hostileString = fc.oneof({ weight: 20, arbitrary: shortHostileString }, fc.constant('张'.repeat(12_000)));

const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 4, arbitrary: hostileString },
  fc.integer(),
  fc.double(),
  fc.constantFrom(Number.MAX_SAFE_INTEGER + 2, -0, 1e308, 0.1, true, false, null),
  fc.array(hostileString, { maxLength: 4 }),
  fc.dictionary(hostileString, hostileString, { maxKeys: 4 }),
);

/** A JSON body: a random value, an object of documented field names with hostile values, or a hostile text. */
function bodyFor(route: Route): fc.Arbitrary<{ raw: string | Buffer } | undefined> {
  const known = route.bodyFields.length > 0 ? fc.constantFrom(...route.bodyFields) : hostileString;
  const fieldName = fc.oneof({ weight: 3, arbitrary: known }, hostileString);
  // Always one member no route knows: whatever else the object holds, it cannot be a valid command.
  const documentedShape = fc
    .tuple(fc.dictionary(fieldName, hostileValue, { maxKeys: 8 }), hostileValue)
    .map(([fields, extra]) => ({ raw: JSON.stringify({ ...fields, zzUnknownMember: extra }) }));
  const depth = fc.integer({ min: 10, max: 5_000 });
  const width = fc.integer({ min: 1_000, max: 6_000 });
  return fc.oneof(
    { weight: 1, arbitrary: fc.constant(undefined) },
    { weight: 2, arbitrary: fc.jsonValue({ maxDepth: 4 }).map((value) => ({ raw: JSON.stringify(value) })) },
    { weight: 4, arbitrary: documentedShape },
    { weight: 1, arbitrary: depth.map((n) => ({ raw: '['.repeat(n) + ']'.repeat(n) })) },
    { weight: 1, arbitrary: depth.map((n) => ({ raw: '{"a":'.repeat(n) + '1' + '}'.repeat(n) })) },
    { weight: 1, arbitrary: width.map((n) => ({ raw: `{${Array.from({ length: n }, (_, i) => `"k${i}":${i}`).join(',')}}` })) },
    { weight: 1, arbitrary: fc.uint8Array({ maxLength: 200 }).map((bytes) => ({ raw: Buffer.from(bytes) })) },
    {
      weight: 1,
      arbitrary: fc
        .constantFrom(
          '{"title": "楼道", ',
          '{"title": "\\ud800"}',
          '{"title": "a\\u0000"}',
          '[1e999999]',
          '{"a":' + '9'.repeat(500) + '}',
          '"just a string"',
          'null',
          '{"__proto__": {"polluted": true}}',
          '\ufeff{}',
        )
        .map((raw) => ({ raw })),
    },
  );
}

/** Header values a Node client can send (it refuses control characters itself). */
const headerValue = shortHostileString.filter((value) => /^[\t\x20-\x7e\x80-\xff]*$/.test(value) && value.length < 4_000);

/** Present in about one request in `every`, absent otherwise. */
function sometimes<T>(arbitrary: fc.Arbitrary<T>, every: number): fc.Arbitrary<T | undefined> {
  return fc.oneof({ weight: every - 1, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary });
}

function headersArbitrary(token: string): fc.Arbitrary<Record<string, string>> {
  const mostlyJson = fc.oneof(
    { weight: 12, arbitrary: fc.constantFrom('application/json', 'application/json; charset=utf-8', 'application/problem+json') },
    fc.constantFrom(
      'application/json; charset=latin1',
      'text/plain',
      'application/x-www-form-urlencoded',
      'multipart/form-data; boundary=x',
      'application/json;;charset="utf-16"',
    ),
  );
  return fc
    .record({
      Authorization: fc.oneof({ weight: 12, arbitrary: fc.constant(`Bearer ${token}`) }, fc.constantFrom('Bearer x.y.z', 'Basic YTpi', '')),
      'X-Correlation-Id': sometimes(fc.oneof(fc.uuid(), headerValue), 4),
      'X-Causation-Id': sometimes(headerValue, 6),
      'Idempotency-Key': sometimes(fc.oneof(fc.constantFrom('fuzz-key-1', 'fuzz-key-2'), headerValue), 4),
      'If-Match': sometimes(fc.oneof(fc.constantFrom('"0"', '99999999999999999999999', 'W/"1"', '*'), headerValue), 6),
      'Content-Type': mostlyJson,
      'Content-Encoding': sometimes(fc.constantFrom('gzip', 'br', 'deflate', 'identity', 'x-unknown'), 12),
      'X-Surprise': sometimes(headerValue, 6),
    })
    .map((headers) => Object.fromEntries(Object.entries(headers).filter((entry): entry is [string, string] => entry[1] !== undefined)));
}

/** Lone surrogates have no percent-encoding; the raw escapes below send their UTF-8 look-alikes instead. */
function wellFormed(text: string): string {
  return text.replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, '\ufffd');
}

/** A query string of documented and unknown names, hostile values, repeats and broken escapes. */
function queryFor(route: Route): fc.Arbitrary<string> {
  const name = fc.oneof(
    { weight: 3, arbitrary: route.query.length > 0 ? fc.constantFrom(...route.query) : shortHostileString },
    shortHostileString,
  );
  const encoded = (text: string) => encodeURIComponent(wellFormed(text));
  const part = fc.oneof(
    { weight: 6, arbitrary: fc.tuple(name, shortHostileString).map(([key, value]) => `${encoded(key)}=${encoded(value)}`) },
    fc.constantFrom('%', '%zz', 'a=%E0%A4%A', 'a=%ED%A0%80', 'text=%00', 'page=1&page=2', '=', '&&', 'a[b]=1', 'a.b=1'),
  );
  return fc.array(part, { maxLength: 6 }).map((parts) => (parts.length === 0 ? '' : `?${parts.join('&')}`));
}

function pathFor(route: Route): fc.Arbitrary<string> {
  const names = [...route.template.matchAll(/\{([^}]+)\}/g)].map((match) => match[1]);
  const value = (name: string) =>
    fc.oneof(
      {
        weight: 3,
        arbitrary: name === 'month' ? fc.constantFrom('2026-03', '2026-02', '0000-01', '2026-13', '2099-01', '1999-12') : fc.uuid(),
      },
      shortHostileString.map((text) => encodeURIComponent(wellFormed(text)) || 'x'),
      fc.constantFrom('%', '%zz', '%ED%A0%80', '..', '%2e%2e', 'XF2026-0001'),
    );
  return fc.tuple(...names.map(value)).map((values) => {
    let path = route.template;
    names.forEach((name, index) => {
      path = path.replace(`{${name}}`, values[index]);
    });
    return path;
  });
}

interface GeneratedRequest {
  route: Route;
  path: string;
  query: string;
  headers: Record<string, string>;
  body: { raw: string | Buffer } | undefined;
}

describe('ten thousand generated requests across every route', () => {
  it('get a 4xx or a success, never a 5xx, each within a second, and not one event is appended', async () => {
    // POST /api/auth/logout ends the sessions of whoever sends it: writing is what it is for, and
    // it takes no input to be hostile about.
    const routes = (await documentedRoutes()).filter((route) => route.template !== '/api/auth/logout');
    const token = (await t.authorization(ADMIN)).Authorization.replace(/^Bearer /, '');
    const before = await head();
    const statuses = new Map<number, number>();
    let slowest = 0;
    let sent = 0;

    const requestArbitrary: fc.Arbitrary<GeneratedRequest> = fc.constantFrom(...routes).chain((route) =>
      fc.record({
        route: fc.constant(route),
        path: pathFor(route),
        query: queryFor(route),
        headers: headersArbitrary(token),
        body: bodyFor(route),
      }),
    );

    const send = async ({ route, path, query, headers, body }: GeneratedRequest): Promise<void> => {
      let req = http()[route.method](`${path}${query}`).set(headers);
      if (body !== undefined) req = req.serialize((data: unknown) => data as string).send(body.raw as unknown as string);
      const [res, ms] = await timed(async () => req);
      sent += 1;
      slowest = Math.max(slowest, ms);
      statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
      const described = `${route.method.toUpperCase()} ${path}${query} -> ${res.status} in ${Math.round(ms)} ms: ${res.text.slice(0, 300)}`;
      if (res.status >= 500) throw new Error(`5xx: ${described}`);
      if (ms >= SLOWEST_ANSWER_MS) throw new Error(`slow: ${described}`);
      if (res.status >= 400) {
        expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
        expect(res.body).toMatchObject({ status: res.status, code: expect.any(String), detail: expect.any(String) });
      }
    };

    // One at a time, so that each answer's time is its own.
    await fc.assert(fc.asyncProperty(requestArbitrary, send), { numRuns: FUZZ_RUNS });

    expect(await head()).toBe(before);
    expect(sent).toBeGreaterThanOrEqual(FUZZ_RUNS);
    // The run reached past the guards: bodies, queries and paths were judged, some requests succeeded.
    expect(statuses.get(400) ?? 0).toBeGreaterThan(FUZZ_RUNS / 10);
    expect([...statuses.keys()].some((status) => status < 300)).toBe(true);
    expect(slowest).toBeLessThan(SLOWEST_ANSWER_MS);
    expectStatus(await http().get('/health/ready'), 200);
    // The figures the closing note quotes.
    process.stdout.write(
      `hostile-input fuzz: ${sent} requests, slowest ${Math.round(slowest)} ms, statuses ${JSON.stringify(Object.fromEntries(statuses))}\n`,
    );
  }, 240_000);
});
