import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, SwaggerModule, type OpenAPIObject } from '@nestjs/swagger';

/** The tags the controllers use, each described once for the reader of /docs. */
const TAGS: [name: string, description: string][] = [
  ['intake', 'Registering a case (登记): one route per kind, each with its own body'],
  ['case commands', 'The lifecycle of a case after intake: one route per command, each with its own body'],
  ['cases', 'The read side: the work queue, the current view of a case and its history'],
  ['timeliness', 'Timeliness KPIs, what-if replays under another deadline policy, and the monthly report'],
  ['operations', 'Liveness and readiness'],
  ['sign-in', 'Sign-in, token refresh, logout and password change'],
  ['audit', 'Proof that the event log was never altered'],
  ['users and units', 'The directory: users (admins manage them) and the handling units cases are dispatched to'],
];

/**
 * The OpenAPI document served at /docs and /docs-json. It is linted with Redocly's recommended
 * rules by openapi-lint.int.spec.ts, so a route added without its error responses or descriptions
 * fails the tests.
 */
export function buildOpenApiDocument(app: INestApplication, orgName: string): OpenAPIObject {
  const builder = new DocumentBuilder()
    .setTitle('Case service (综治中心案件服务)')
    .setDescription(
      [
        `Event-sourced case management for ${orgName}: petitions (信访), 12345 hotline tickets and disputes (矛盾纠纷) through collect → dispatch → resolve → review.`,
        'Errors are RFC 9457 problem details (`application/problem+json`) with a stable `code` to switch on.',
        'Sign in at POST /api/auth/login and send the access token as `Authorization: Bearer <token>` on every other call; only sign-in, token refresh, /health and this description answer without one.',
      ].join('\n\n'),
    )
    .setVersion('1')
    // package.json's licence: private code, licensed to no one.
    .setLicense('UNLICENSED', 'https://docs.npmjs.com/cli/v10/configuring-npm/package-json#license')
    .addServer('/', 'The service serving this document')
    .addBearerAuth(
      { type: 'http', scheme: 'bearer', bearerFormat: 'JWT', description: 'The access token of POST /api/auth/login' },
      'bearer',
    );
  for (const [name, description] of TAGS) builder.addTag(name, description);
  const document = SwaggerModule.createDocument(app, builder.build());
  withStoreOutage(document);
  // Every operation needs the bearer token except those marked public, which say so with an empty requirement.
  return { ...document, security: [{ bearer: [] }] };
}

const STORE_UNAVAILABLE =
  'The event store cannot be reached (code STORE.UNAVAILABLE): nothing was written; try again after `Retry-After` seconds';

/**
 * Any /api operation can meet a store that went away (docs/architecture.md, "When the store goes
 * away"): each documents that 503, beside a 503 of its own when it has one.
 */
function withStoreOutage(document: OpenAPIObject): void {
  for (const [path, item] of Object.entries(document.paths)) {
    if (!path.startsWith('/api/')) continue;
    for (const operation of [item.get, item.post, item.patch, item.put, item.delete]) {
      if (operation === undefined) continue;
      const own = operation.responses['503'] as { description?: string } | undefined;
      operation.responses['503'] = {
        ...own,
        description: own?.description === undefined ? STORE_UNAVAILABLE : `${own.description}; or: ${STORE_UNAVAILABLE}`,
        content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/ProblemDetailsDto' } } },
        headers: { 'Retry-After': { description: 'Seconds to wait before trying again', schema: { type: 'integer' } } },
      };
    }
  }
}
