import { Body, Controller, HttpCode, Param, Post, Req, Res } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiBody, ApiExtraModels, ApiHeader, ApiOperation, ApiParam, ApiResponse, ApiTags, getSchemaPath } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { LIFECYCLE_ACTIONS, type CaseKind, type LifecycleAction } from '@cases/domain';
import { RegisterCaseCommand } from '../commands/register-case.command';
import { RunCaseActionCommand } from '../commands/run-case-action.command';
import { CASE_ID_PIPE, RequestValidationError, validated } from '../../http/problem-details';
import { CommandRequestFactory, requireJsonBody } from './command-request.factory';
import {
  LIFECYCLE_DTOS,
  ReceiveHotlineTicketDto,
  RegisterDisputeDto,
  RegisterPetitionDto,
  toIntakeCommand,
  toLifecycleCommand,
} from './dto';

type DtoClass = new () => object;

const COMMAND_HEADERS = [
  { name: 'Idempotency-Key', required: false, description: 'Same key and body replays the first answer; same key with another body is 422.' },
  { name: 'X-Correlation-Id', required: false, description: 'Recorded on every event the command writes.' },
];

function occurredAtOf(dto: object): string | undefined {
  return (dto as { occurredAt?: string }).occurredAt;
}

@ApiTags('cases')
@ApiExtraModels(...Object.values(LIFECYCLE_DTOS))
@Controller('api')
export class CaseCommandsController {
  constructor(
    private readonly commandBus: CommandBus,
    private readonly requests: CommandRequestFactory,
  ) {}

  @Post('petitions')
  @HttpCode(201)
  @ApiOperation({ summary: 'Register a petition (信访事项登记)' })
  @ApiBody({ type: RegisterPetitionDto })
  @ApiHeader(COMMAND_HEADERS[0])
  @ApiResponse({ status: 201, description: '{ id, number, revision }' })
  registerPetition(@Body() body: unknown, @Req() req: Request, @Res({ passthrough: true }) res: Response) {
    return this.intake('petition', RegisterPetitionDto, body, req, res);
  }

  @Post('hotline-tickets')
  @HttpCode(201)
  @ApiOperation({
    summary: 'Receive a 12345 hotline ticket (工单)',
    description: 'Idempotent by platformTicketNo: a ticket already on file answers 200 with the existing case and writes nothing.',
  })
  @ApiBody({ type: ReceiveHotlineTicketDto })
  @ApiHeader(COMMAND_HEADERS[0])
  @ApiResponse({ status: 201, description: '{ id, number, revision }' })
  @ApiResponse({ status: 200, description: 'The ticket number was already on file.' })
  receiveHotlineTicket(@Body() body: unknown, @Req() req: Request, @Res({ passthrough: true }) res: Response) {
    return this.intake('hotline', ReceiveHotlineTicketDto, body, req, res);
  }

  @Post('disputes')
  @HttpCode(201)
  @ApiOperation({ summary: 'Register a neighbourhood dispute (矛盾纠纷登记)' })
  @ApiBody({ type: RegisterDisputeDto })
  @ApiHeader(COMMAND_HEADERS[0])
  @ApiResponse({ status: 201, description: '{ id, number, revision }' })
  registerDispute(@Body() body: unknown, @Req() req: Request, @Res({ passthrough: true }) res: Response) {
    return this.intake('dispute', RegisterDisputeDto, body, req, res);
  }

  @Post('cases/:id/:action')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Run a lifecycle command on a case',
    description:
      'The body depends on the action (see the schemas). 409 when the action is not allowed in the case\'s state, 412 when If-Match is stale, 422 when a business rule refuses it.',
  })
  @ApiParam({ name: 'action', enum: LIFECYCLE_ACTIONS })
  @ApiHeader({ name: 'If-Match', required: false, description: 'The revision last seen (the ETag of GET /api/cases/{id}).' })
  @ApiHeader(COMMAND_HEADERS[0])
  @ApiHeader(COMMAND_HEADERS[1])
  @ApiBody({ schema: { oneOf: Object.values(LIFECYCLE_DTOS).map((dto) => ({ $ref: getSchemaPath(dto) })) } })
  @ApiResponse({ status: 200, description: '{ id, revision }' })
  async runAction(
    @Param('id', CASE_ID_PIPE) id: string,
    @Param('action') action: string,
    @Body() body: unknown,
    @Req() req: Request,
    @Res({ passthrough: true }) res: Response,
  ) {
    if (!(LIFECYCLE_ACTIONS as readonly string[]).includes(action)) {
      throw new RequestValidationError([{ field: 'action', message: `unknown action; expected one of ${LIFECYCLE_ACTIONS.join(', ')}` }]);
    }
    requireJsonBody(req);
    const lifecycleAction = action as LifecycleAction;
    const dto = validated<object>(LIFECYCLE_DTOS[lifecycleAction], body ?? {});
    const request = this.requests.create(req, lifecycleAction, body, occurredAtOf(dto));
    const outcome = await this.commandBus.execute(
      new RunCaseActionCommand(id, toLifecycleCommand(lifecycleAction, dto as never), request),
    );
    res.setHeader('ETag', `"${outcome.revision}"`);
    return { id: outcome.id, revision: outcome.revision };
  }

  private async intake(kind: CaseKind, cls: DtoClass, body: unknown, req: Request, res: Response) {
    requireJsonBody(req);
    const dto = validated<object>(cls, body);
    const request = this.requests.create(req, `intake:${kind}`, body, occurredAtOf(dto));
    const platformTicketNo = kind === 'hotline' ? (dto as ReceiveHotlineTicketDto).platformTicketNo : undefined;
    const outcome = await this.commandBus.execute(
      new RegisterCaseCommand(kind, (ids) => toIntakeCommand(kind, dto as never, ids), platformTicketNo, request),
    );
    if (outcome.existing) res.status(200);
    res.setHeader('ETag', `"${outcome.revision}"`);
    res.setHeader('Location', `/api/cases/${outcome.id}`);
    return { id: outcome.id, number: outcome.number, revision: outcome.revision };
  }
}
