import { Body, Controller, HttpCode, Post, Req, Res } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiCreatedResponse, ApiHeader, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { INTAKE_KIND, type IntakeDetails } from '@cases/domain';
import { RegisterCaseCommand, type IntakeOutcome } from '../commands/register-case.command';
import { ApiProblems, BAD_REQUEST } from '../../http/openapi-responses';
import { IntakeAnswerDto } from './command-answers.dto';
import { COMMAND_HEADERS } from './command-headers';
import { CommandRequestFactory } from './command-request.factory';
import { ReceiveHotlineTicketDto, RegisterDisputeDto, RegisterPetitionDto, toIntake } from './dto';

const INTAKE_PROBLEMS = ApiProblems(
  BAD_REQUEST,
  { status: 403, description: 'Back-dating beyond the window without the supervisor or admin role' },
  { status: 415, description: 'The body is not application/json' },
  { status: 422, description: 'A business rule refused the intake, or the Idempotency-Key was used for another request' },
);

/** Intake (登记): one route per kind of case, each with its own body. */
@ApiTags('intake')
@Controller('api')
export class IntakeController {
  constructor(
    private readonly commandBus: CommandBus,
    private readonly requests: CommandRequestFactory,
  ) {}

  @Post('petitions')
  @HttpCode(201)
  @ApiOperation({ operationId: 'registerPetition', summary: 'Register a petition (信访事项登记)' })
  @ApiHeader(COMMAND_HEADERS.intake[0])
  @ApiHeader(COMMAND_HEADERS.intake[1])
  @ApiHeader(COMMAND_HEADERS.intake[2])
  @ApiCreatedResponse({ type: IntakeAnswerDto })
  @INTAKE_PROBLEMS
  registerPetition(@Body() body: RegisterPetitionDto, @Req() req: Request, @Res({ passthrough: true }) res: Response) {
    return this.intake(toIntake('petition', body), body.occurredAt, req, res);
  }

  @Post('hotline-tickets')
  @HttpCode(201)
  @ApiOperation({
    operationId: 'receiveHotlineTicket',
    summary: 'Receive a 12345 hotline ticket (工单)',
    description: 'Idempotent by platformTicketNo: a ticket already on file answers 200 with the existing case and writes nothing.',
  })
  @ApiHeader(COMMAND_HEADERS.intake[0])
  @ApiHeader(COMMAND_HEADERS.intake[1])
  @ApiHeader(COMMAND_HEADERS.intake[2])
  @ApiCreatedResponse({ type: IntakeAnswerDto })
  @ApiOkResponse({ type: IntakeAnswerDto, description: 'The ticket number was already on file: the existing case' })
  @INTAKE_PROBLEMS
  receiveHotlineTicket(@Body() body: ReceiveHotlineTicketDto, @Req() req: Request, @Res({ passthrough: true }) res: Response) {
    return this.intake(toIntake('hotline', body), body.occurredAt, req, res);
  }

  @Post('disputes')
  @HttpCode(201)
  @ApiOperation({ operationId: 'registerDispute', summary: 'Register a neighbourhood dispute (矛盾纠纷登记)' })
  @ApiHeader(COMMAND_HEADERS.intake[0])
  @ApiHeader(COMMAND_HEADERS.intake[1])
  @ApiHeader(COMMAND_HEADERS.intake[2])
  @ApiCreatedResponse({ type: IntakeAnswerDto })
  @INTAKE_PROBLEMS
  registerDispute(@Body() body: RegisterDisputeDto, @Req() req: Request, @Res({ passthrough: true }) res: Response) {
    return this.intake(toIntake('dispute', body), body.occurredAt, req, res);
  }

  private async intake(intake: IntakeDetails, occurredAt: string | undefined, req: Request, res: Response): Promise<IntakeAnswerDto> {
    const request = this.requests.create(req, `intake:${INTAKE_KIND[intake.type]}`, req.body, occurredAt);
    const outcome: IntakeOutcome = await this.commandBus.execute(new RegisterCaseCommand(intake, request));
    if (outcome.existing) res.status(200);
    res.setHeader('ETag', `"${outcome.revision}"`);
    res.setHeader('Location', `/api/cases/${outcome.id}`);
    return { id: outcome.id, number: outcome.number, revision: Number(outcome.revision), position: outcome.position.toString() };
  }
}
