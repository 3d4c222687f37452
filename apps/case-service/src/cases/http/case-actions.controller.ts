import { Body, Controller, HttpCode, Param, Post, Req, Res } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiBody, ApiHeader, ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { LIFECYCLE_ACTIONS, LIFECYCLE_RULES, USER_ROLES, type LifecycleAction, type UserRole } from '@cases/domain';
import { RunCaseActionCommand } from '../commands/run-case-action.command';
import { CASE_ID_PIPE } from '../../http/problem-details';
import { ApiProblems, BAD_REQUEST, NOT_FOUND } from '../../http/openapi-responses';
import { AnyRole } from '../../auth/auth.decorators';
import { CommandAnswerDto } from './command-answers.dto';
import { CommandRequestFactory } from './command-request.factory';
import { COMMAND_HEADERS } from './command-headers';
import { CASE_ACTIONS, toLifecycleCommand } from './dto';

/**
 * `POST /api/cases/{id}/{action}`: one route per lifecycle command, each with its own body DTO,
 * generated from CASE_ACTIONS (the body and its mapping to the domain command) and LIFECYCLE_RULES
 * (who may run it, from which status). The routes are generated rather than written out so that
 * the list the compiler checks is the only list: an action cannot have a rule but no route.
 */
@ApiTags('case commands')
@Controller('api/cases')
export class CaseActionsController {
  constructor(
    private readonly commandBus: CommandBus,
    private readonly requests: CommandRequestFactory,
  ) {}

  async run(action: LifecycleAction, id: string, body: object, req: Request, res: Response): Promise<CommandAnswerDto> {
    const request = this.requests.create(req, action, req.body, (body as { occurredAt?: string }).occurredAt);
    const outcome = await this.commandBus.execute(new RunCaseActionCommand(id, toLifecycleCommand(action, body as never), request));
    res.setHeader('ETag', `"${outcome.revision}"`);
    return { id: outcome.id, revision: Number(outcome.revision), position: outcome.position.toString() };
  }
}

/** `request-extension` → `requestExtension`: the handler's method name, hence its default operationId. */
function methodName(action: LifecycleAction): string {
  return action.replace(/-(\w)/g, (_match, letter: string) => letter.toUpperCase());
}

for (const action of LIFECYCLE_ACTIONS) {
  const { body } = CASE_ACTIONS[action];
  const rule = LIFECYCLE_RULES[action];
  const name = methodName(action);
  // `system` (the 12345 platform's Kafka intake) is no user: the route states the signed-in roles only.
  const userRoles = rule.roles.filter((role): role is UserRole => (USER_ROLES as readonly string[]).includes(role));
  const prototype = CaseActionsController.prototype as unknown as Record<string, unknown>;
  prototype[name] = function (this: CaseActionsController, id: string, dto: object, req: Request, res: Response) {
    return this.run(action, id, dto, req, res);
  };
  // The body's class is what the global ValidationPipe validates against: Nest reads it from here.
  Reflect.defineMetadata('design:paramtypes', [String, body, Object, Object], prototype, name);
  Param('id', CASE_ID_PIPE)(prototype, name, 0);
  Body()(prototype, name, 1);
  Req()(prototype, name, 2);
  Res({ passthrough: true })(prototype, name, 3);
  const descriptor = Object.getOwnPropertyDescriptor(prototype, name) as PropertyDescriptor;
  const decorators = [
    Post(`:id/${action}`),
    HttpCode(200),
    ApiOperation({
      operationId: name,
      summary: rule.summary,
      description: `Allowed from ${rule.from.join(', ')}; for ${rule.kinds.join(', ')}; by ${userRoles.join(', ')} (a unit only on its own cases)${userRoles.length < rule.roles.length ? '; the 12345 platform runs it over Kafka' : ''}.`,
    }),
    ApiParam({ name: 'id', format: 'uuid', description: 'Case id' }),
    ApiBody({ type: body }),
    // The domain enforces these roles (admit, before the decision); the document states them.
    AnyRole(userRoles),
    ...COMMAND_HEADERS.lifecycle.map((header) => ApiHeader(header)),
    ApiOkResponse({ type: CommandAnswerDto, description: 'The command was recorded (or replayed for a repeated Idempotency-Key)' }),
    ApiProblems(
      BAD_REQUEST,
      { status: 403, description: 'The role may not run this command, or the case is not the unit’s own' },
      NOT_FOUND,
      { status: 409, description: 'Not allowed in the case’s current status; `command` and `state` name both' },
      { status: 412, description: 'If-Match names a stale revision' },
      { status: 415, description: 'The body is not application/json' },
      { status: 422, description: 'A business rule refused the command, or the Idempotency-Key was used for another request' },
    ),
  ];
  for (const decorate of decorators) decorate(prototype, name, descriptor);
  Object.defineProperty(prototype, name, descriptor);
}
