import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Type } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { OpenAPIObject, OperationObject, ParameterObject, ResponseObject } from '@nestjs/swagger';
import { createConfig, lintFromString, type NormalizedProblem } from '@redocly/openapi-core';
import { getMetadataStorage } from 'class-validator';
import request from 'supertest';
import { createApp } from './bootstrap';
import { ListCasesQueryDto } from './cases/http/dto';
import { loadConfig } from './config/app-config';
import { MonthlyReportQueryDto, TimelinessQueryDto } from './timeliness/timeliness-query.dto';

/** `warn ruleId at #/pointer: message`: enough to find the decorator that needs fixing. */
function describeProblem(problem: NormalizedProblem): string {
  const where = problem.location.map((location) => location.pointer ?? '').join(', ');
  return `${problem.severity} ${problem.ruleId} at ${where}: ${problem.message}`;
}

const METHODS = ['get', 'put', 'post', 'delete', 'patch'] as const;

/** The properties class-validator enforces on a query DTO: what the document must list, no more, no less. */
function validatedProperties(cls: Type<object>): string[] {
  const metadata = getMetadataStorage().getTargetValidationMetadatas(cls, '', true, false);
  return [...new Set(metadata.map((entry) => entry.propertyName))].sort();
}

/**
 * The OpenAPI document the running service serves at /docs-json, linted with Redocly's
 * `recommended` ruleset plus its example checks: every error and every warning fails the test,
 * each one listed.
 */
describe('OpenAPI document', () => {
  let app: NestExpressApplication;
  let dataDir: string;
  let document: OpenAPIObject;

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'case-service-openapi-'));
    app = await createApp(loadConfig({ DATA_DIR: dataDir, SCHEDULER_INTERVAL_MS: '0' }), { logger: false });
    await app.init();
    const res = await request(app.getHttpServer()).get('/docs-json');
    expect(res.status).toBe(200);
    document = res.body as OpenAPIObject;
  });

  afterAll(async () => {
    await app?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it("lints clean with Redocly's recommended rules, examples checked too: no error, no warning", async () => {
    const config = await createConfig({
      extends: ['recommended'],
      // Off in `recommended`: an example a client copies must be one the service accepts.
      rules: { 'no-invalid-schema-examples': 'error', 'no-invalid-parameter-examples': 'error' },
    });
    const problems = await lintFromString({ source: JSON.stringify(document), absoluteRef: 'openapi.json', config });

    expect(problems.map(describeProblem)).toEqual([]);
  });

  it('documents every 4xx of every operation with the problem-details schema', () => {
    const operations = Object.entries(document.paths).flatMap(([path, item]) =>
      METHODS.flatMap((method) => (item[method] ? [[`${method} ${path}`, item[method] as OperationObject] as const] : [])),
    );
    expect(operations.length).toBeGreaterThan(20);
    for (const [name, operation] of operations) {
      const clientErrors = Object.entries(operation.responses).filter(([status]) => status.startsWith('4'));
      expect({ name, clientErrors: clientErrors.length > 0 }).toEqual({ name, clientErrors: true });
      for (const [status, response] of clientErrors) {
        expect({ name, status, content: (response as ResponseObject).content }).toEqual({
          name,
          status,
          content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/ProblemDetailsDto' } } },
        });
      }
    }
    expect(Object.keys(document.components?.schemas?.ProblemDetailsDto ?? {})).toContain('properties');
  });

  it.each([
    ['/api/cases', ListCasesQueryDto],
    ['/api/stats/timeliness', TimelinessQueryDto],
    ['/api/reports/monthly/{month}', MonthlyReportQueryDto],
  ] as const)('GET %s documents every query parameter its DTO validates, each described', (path, dto) => {
    const parameters = (document.paths[path].get?.parameters ?? []) as ParameterObject[];
    const query = parameters.filter((parameter) => parameter.in === 'query');

    expect(query.map((parameter) => parameter.name).sort()).toEqual(validatedProperties(dto));
    for (const parameter of query)
      expect({ name: parameter.name, description: parameter.description }).toEqual({
        name: parameter.name,
        description: expect.stringMatching(/\S/),
      });
  });
});
