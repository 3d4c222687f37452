import { JwtService } from '@nestjs/jwt';
import { EVENT_STORE, type EventStore } from '@cases/event-store';
import { ADMIN, DESK, SUPERVISOR, TEST_ADMIN_PASSWORD, TestApp, expectProblem, expectStatus } from './support/test-app';
import { petitionBody } from './support/bodies';

/** Sign-in, sessions, users and units (docs/security.md), through the real HTTP stack. */
describe('sign-in, sessions, users and units', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await TestApp.start({ env: { LOGIN_ATTEMPTS_PER_MINUTE: '5' } });
  });
  afterAll(async () => {
    await t.stop();
  });

  async function login(username: string, password: string) {
    return t.http.post('/api/auth/login').send({ username, password });
  }

  async function createUser(body: Record<string, unknown>) {
    return t.http
      .post('/api/users')
      .set(await t.authorization(ADMIN))
      .send(body);
  }

  it('without a token every API route is 401; sign-in, health and the API description answer', async () => {
    const document = (await t.http.get('/docs-json')).body as { paths: Record<string, Record<string, unknown>> };
    const publicRoutes = new Set(['post /api/auth/login', 'post /api/auth/refresh', 'get /health']);
    let checked = 0;
    for (const [path, operations] of Object.entries(document.paths)) {
      for (const method of Object.keys(operations)) {
        const key = `${method} ${path}`;
        if (publicRoutes.has(key) || !path.startsWith('/api/')) continue;
        const concrete = path.replace(/\{[^}]+\}/g, (name) => (name === '{month}' ? '2026-03' : '7d0c3a52-9a55-4c7e-8f5e-2f6d1b0c9e11'));
        const res = await (t.http as unknown as Record<string, (url: string) => Promise<import('supertest').Response>>)[method](concrete);
        expectProblem(res, 401, 'AUTH.UNAUTHENTICATED');
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(25);
    expectStatus(await t.http.get('/health'), 200);
    expectStatus(await t.http.get('/docs-json'), 200);
  });

  it('admin signs in with CASES_ADMIN_PASSWORD, reads itself, refreshes, and logs out, which revokes every token at once', async () => {
    const signedIn = await login('admin', TEST_ADMIN_PASSWORD);
    expectStatus(signedIn, 200);
    expect(signedIn.body).toEqual({
      accessToken: expect.any(String),
      refreshToken: expect.any(String),
      tokenType: 'Bearer',
      expiresIn: 900,
    });
    const bearer = { Authorization: `Bearer ${signedIn.body.accessToken}` };
    expect((await t.http.get('/api/auth/me').set(bearer)).body).toEqual({
      username: 'admin',
      displayName: '管理员',
      role: 'admin',
      active: true,
    });

    // An access token is not a refresh token, and the other way round.
    expectProblem(await t.http.post('/api/auth/refresh').send({ refreshToken: signedIn.body.accessToken }), 401, 'AUTH.UNAUTHENTICATED');
    expectProblem(
      await t.http.get('/api/auth/me').set({ Authorization: `Bearer ${signedIn.body.refreshToken}` }),
      401,
      'AUTH.UNAUTHENTICATED',
    );
    const refreshed = await t.http.post('/api/auth/refresh').send({ refreshToken: signedIn.body.refreshToken });
    expectStatus(refreshed, 200);

    expectStatus(await t.http.post('/api/auth/logout').set(bearer), 204);
    expectProblem(await t.http.get('/api/auth/me').set(bearer), 401, 'AUTH.UNAUTHENTICATED');
    expectProblem(
      await t.http.get('/api/auth/me').set({ Authorization: `Bearer ${refreshed.body.accessToken}` }),
      401,
      'AUTH.UNAUTHENTICATED',
    );
    expectProblem(await t.http.post('/api/auth/refresh').send({ refreshToken: refreshed.body.refreshToken }), 401, 'AUTH.UNAUTHENTICATED');
  });

  it('refuses expired, tampered and wrongly signed tokens with 401, saying nothing about which', async () => {
    const valid = await t.tokenFor(DESK);
    const jwt = t.app.get(JwtService);
    const { iat: _iat, exp: _exp, ...claims } = jwt.decode<Record<string, unknown>>(valid);
    const expired = jwt.sign({ ...claims, exp: Math.floor(Date.now() / 1000) - 60 });
    const [header, payload, signature] = valid.split('.');
    const elevated = Buffer.from(JSON.stringify({ ...claims, role: 'admin' })).toString('base64url');
    const tampered = `${header}.${elevated}.${signature}`;
    const foreign = new JwtService({ secret: 'another-key-another-key-another-key!' }).sign(claims);
    const details = new Set<string>();
    for (const token of [expired, tampered, foreign, `${header}.${payload}.`, 'not-a-token']) {
      const problem = expectProblem(await t.http.get('/api/cases').set({ Authorization: `Bearer ${token}` }), 401, 'AUTH.UNAUTHENTICATED');
      details.add(problem.detail);
    }
    expect(details.size).toBe(1);
  });

  it('a token accepted before is refused once it expires (its checked signature is not trusted past its exp)', async () => {
    const jwt = t.app.get(JwtService);
    const { iat: _iat, exp: _exp, ...claims } = jwt.decode<Record<string, unknown>>(await t.tokenFor(DESK));
    const exp = Math.floor(Date.now() / 1000) + 2;
    const shortLived = { Authorization: `Bearer ${jwt.sign({ ...claims, exp })}` };
    expectStatus(await t.http.get('/api/auth/me').set(shortLived), 200);
    expectStatus(await t.http.get('/api/auth/me').set(shortLived), 200);
    await new Promise((resolve) => setTimeout(resolve, exp * 1000 - Date.now() + 50));
    expectProblem(await t.http.get('/api/auth/me').set(shortLived), 401, 'AUTH.UNAUTHENTICATED');
  });

  it('wrong passwords are 401 and sign-in attempts are limited per username: 429 with Retry-After', async () => {
    const created = await createUser({ username: 'zhou.desk', displayName: '周', password: 'first-password-1', role: 'desk' });
    expectStatus(created, 201);
    for (let attempt = 1; attempt <= 5; attempt++) {
      expectProblem(await login('zhou.desk', `wrong-${attempt}`), 401, 'AUTH.UNAUTHENTICATED');
    }
    const limited = await login('zhou.desk', 'first-password-1');
    expectProblem(limited, 429, 'HTTP.429');
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
  });

  it('a password change, a role change and disabling each end the user’s sessions; users and their changes are events', async () => {
    expectStatus(
      await createUser({ username: 'li.unit', displayName: '李', password: 'first-password-1', role: 'unit', unit: '市政所' }),
      201,
    );
    const session = async (password: string) => {
      const res = await login('li.unit', password);
      expectStatus(res, 200);
      return { Authorization: `Bearer ${res.body.accessToken}` };
    };
    let bearer = await session('first-password-1');
    expect((await t.http.get('/api/auth/me').set(bearer)).body).toMatchObject({ role: 'unit', unit: '市政所' });

    expectStatus(
      await t.http.post('/api/auth/password').set(bearer).send({ currentPassword: 'first-password-1', newPassword: 'second-password-2' }),
      204,
    );
    expectProblem(await t.http.get('/api/auth/me').set(bearer), 401, 'AUTH.UNAUTHENTICATED');
    bearer = await session('second-password-2');

    const admin = await t.authorization(ADMIN);
    expectStatus(await t.http.patch('/api/users/li.unit').set(admin).send({ role: 'desk' }), 200);
    expectProblem(await t.http.get('/api/auth/me').set(bearer), 401, 'AUTH.UNAUTHENTICATED');
    bearer = await session('second-password-2');
    expect((await t.http.get('/api/auth/me').set(bearer)).body).toEqual({
      username: 'li.unit',
      displayName: '李',
      role: 'desk',
      active: true,
    });

    expectStatus(await t.http.patch('/api/users/li.unit').set(admin).send({ active: false }), 200);
    expectProblem(await t.http.get('/api/auth/me').set(bearer), 401, 'AUTH.UNAUTHENTICATED');
    expectProblem(await login('li.unit', 'second-password-2'), 401, 'AUTH.UNAUTHENTICATED');

    const store = t.app.get<EventStore>(EVENT_STORE);
    const log = await store.readAll({ maxCount: 10_000 });
    const changes = log.filter((event) => (event.data as { username?: string }).username === 'li.unit');
    expect(changes.map((event) => [event.type, (event.metadata.actor as { id: string }).id])).toEqual([
      ['UserRegistered', ADMIN.id],
      ['PasswordChanged', 'li.unit'],
      ['UserChanged', ADMIN.id],
      ['UserChanged', ADMIN.id],
    ]);
    expect(JSON.stringify(changes.map((event) => event.data))).not.toContain('second-password-2');
  });

  it('only an admin manages users and units; a unit user needs an active unit of the directory', async () => {
    const desk = await t.authorization(DESK);
    expectProblem(await t.http.get('/api/users').set(desk), 403, 'AUTH.FORBIDDEN');
    expectProblem(await t.http.post('/api/units').set(desk).send({ code: 'x', name: 'X', type: 'community' }), 403, 'AUTH.FORBIDDEN');
    expectProblem(
      await createUser({ username: 'nobody.unit', displayName: '无', password: 'first-password-1', role: 'unit', unit: '不存在的单位' }),
      422,
      'CASE.INVALID_COMMAND',
    );
    expectProblem(
      await createUser({ username: 'admin', displayName: '重名', password: 'first-password-1', role: 'desk' }),
      409,
      'DIRECTORY.ALREADY_EXISTS',
    );
    const units = await t.http.get('/api/units').set(desk);
    expectStatus(units, 200);
    expect(units.body).toContainEqual({ code: '市政所', name: '市政所', type: 'community', active: true });
  });

  it('dispatch names a unit of the directory: an unknown or inactive unit is 422 and nothing is written', async () => {
    const admin = await t.authorization(ADMIN);
    expectStatus(await t.http.post('/api/units').set(admin).send({ code: 'civil', name: '民政科', type: 'department' }), 201);
    const id = (await t.intake('petition', petitionBody())).body.id;
    await t.ok(id, 'accept', {});
    expectProblem(await t.act(id, 'dispatch', { unit: '不存在的单位' }), 422, 'CASE.INVALID_COMMAND');
    expectStatus(await t.http.patch('/api/units/civil').set(admin).send({ active: false }), 200);
    expectProblem(await t.act(id, 'dispatch', { unit: 'civil' }), 422, 'CASE.INVALID_COMMAND');
    expect((await t.view(id)).status).toBe('accepted');
    expectStatus(await t.http.patch('/api/units/civil').set(admin).send({ active: true }), 200);
    await t.ok(id, 'dispatch', { unit: 'civil' }, { as: SUPERVISOR });
    expect((await t.view(id)).unit).toBe('civil');
  });
});
