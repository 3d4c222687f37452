import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Response } from 'supertest';
import { USER_ROLES, type UserRole } from '@cases/domain';
import { ROLES_EXTENSION } from '../apps/case-service/src/auth/auth.decorators';
import { ADMIN, DESK, SUPERVISOR, TestApp, unitUser, type TestActor } from './support/test-app';

const SECURITY_DOC = join(__dirname, '..', 'docs', 'security.md');
const START = '<!-- permission-matrix:start -->';
const END = '<!-- permission-matrix:end -->';
const SOME_ID = '7d0c3a52-9a55-4c7e-8f5e-2f6d1b0c9e11';

interface Operation {
  method: string;
  path: string;
  /** 'public', or the roles that may call it. */
  roles: readonly string[];
}

const ACTORS: Record<UserRole, TestActor> = { desk: DESK, unit: unitUser('市政所'), supervisor: SUPERVISOR, admin: ADMIN };

/**
 * The permission matrix of docs/security.md is the one the API states (`x-roles` on each operation
 * of /docs-json), and every operation answers every role accordingly: 403 for a role it does not
 * list, never 401 or 403 for one it does. Case commands state the roles of the domain's lifecycle
 * rules, checked command by command in lifecycle-rules.unit.spec.ts.
 */
describe('permission matrix', () => {
  let t: TestApp;
  let operations: Operation[];

  beforeAll(async () => {
    t = await TestApp.start();
    const document = (await t.http.get('/docs-json')).body as { paths: Record<string, Record<string, Record<string, unknown>>> };
    operations = Object.entries(document.paths).flatMap(([path, methods]) =>
      Object.entries(methods).map(([method, operation]) => ({
        method,
        path,
        roles: (operation[ROLES_EXTENSION] as string[] | undefined) ?? USER_ROLES,
      })),
    );
  });
  afterAll(async () => {
    await t.stop();
  });

  it('docs/security.md shows the matrix the API states', () => {
    const cell = (operation: Operation, role: UserRole) =>
      operation.roles.includes('public') ? 'public' : operation.roles.includes(role) ? '✓' : '—';
    const rows = operations.map(
      (operation) =>
        `| \`${operation.method.toUpperCase()} ${operation.path}\` | ${USER_ROLES.map((role) => cell(operation, role)).join(' | ')} |`,
    );
    const matrix = [`| operation | ${USER_ROLES.join(' | ')} |`, `| --- |${USER_ROLES.map(() => ' :-: |').join('')}`, ...rows].join('\n');
    const current = readFileSync(SECURITY_DOC, 'utf8');
    const rendered = `${current.slice(0, current.indexOf(START) + START.length)}\n${matrix}\n${current.slice(current.indexOf(END))}`;
    if (process.env.UPDATE_DOCS === '1') writeFileSync(SECURITY_DOC, rendered);
    expect(readFileSync(SECURITY_DOC, 'utf8')).toBe(rendered);
  });

  it('every operation that is not a case command answers every role as the matrix says', async () => {
    let checked = 0;
    for (const operation of operations) {
      if (operation.roles.includes('public') || (/\/api\/cases\/\{id\}\/[a-z-]+$/.test(operation.path) && operation.method === 'post'))
        continue;
      const url = operation.path.replace(/\{(\w+)\}/g, (_whole, name: string) =>
        name === 'month' ? '2026-03' : name === 'code' ? 'nowhere' : name === 'username' ? 'nobody' : SOME_ID,
      );
      for (const role of USER_ROLES) {
        const authorization = await t.authorization(ACTORS[role]);
        const http = t.http as unknown as Record<string, (url: string) => import('supertest').Test>;
        const request = http[operation.method](url).set(authorization);
        const res: Response = operation.method === 'get' ? await request : await request.send({});
        const where = `${operation.method.toUpperCase()} ${operation.path} as ${role}: ${res.status} ${JSON.stringify(res.body)}`;
        if (operation.roles.includes(role))
          expect({ where, forbidden: res.status === 401 || res.status === 403 }).toEqual({ where, forbidden: false });
        else expect({ where, status: res.status, code: res.body.code }).toEqual({ where, status: 403, code: 'AUTH.FORBIDDEN' });
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(40);
  });
});
