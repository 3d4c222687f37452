import { Body, Controller, HttpCode, Param, ParseUUIDPipe, Post, Req } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiParam, ApiProperty, ApiTags } from '@nestjs/swagger';
import type { Request } from 'express';
import { Roles } from '../auth/auth.decorators';
import { TextField } from '../cases/http/dto/field-decorators';
import { CommandRequestFactory } from '../cases/http/command-request.factory';
import { ApiProblems, BAD_REQUEST } from '../http/openapi-responses';
import { RequestValidationError } from '../http/problem-details';
import { PersonalDataAccess } from './personal-data-access.service';

const MAX_DESTROY_REASON = 500;

export class DestroyPersonalDataDto {
  @TextField({
    maxLength: MAX_DESTROY_REASON,
    description: 'Why the data is destroyed (the legal basis or request), recorded in the PersonalDataDestroyed event',
    example: '当事人依《个人信息保护法》第四十七条申请删除',
  })
  readonly reason: string;
}

export class PersonalDataDestroyedDto {
  @ApiProperty({ format: 'uuid' })
  personId: string;

  @ApiProperty({ format: 'uuid', description: 'The case the person was registered with; its history records the destruction' })
  caseId: string;

  @ApiProperty({ format: 'date-time' })
  destroyedAt: string;

  @ApiProperty({ description: 'The case’s revision after the PersonalDataDestroyed event', nullable: true, type: Number })
  revision: number | null;

  @ApiProperty({ description: 'Global log position of that event, as a decimal string', nullable: true, type: String })
  position: string | null;
}

const PERSON_ID_PIPE = new ParseUUIDPipe({
  exceptionFactory: () => new RequestValidationError([{ field: 'personId', message: 'personId must be a UUID' }]),
});

/** Crypto-shredding (SPEC §7): an admin destroys one person's data key; every copy of their sealed data becomes unreadable. */
@ApiTags('personal data')
@ApiBearerAuth()
@Controller('api/personal-data')
export class PersonalDataController {
  constructor(
    private readonly personalData: PersonalDataAccess,
    private readonly requests: CommandRequestFactory,
  ) {}

  @Post(':personId/destroy')
  @HttpCode(200)
  @Roles('admin')
  @ApiOperation({
    operationId: 'destroyPersonalData',
    summary: 'Destroy a person’s data key (crypto-shredding)',
    description:
      'Records a `PersonalDataDestroyed` event (person id, reason, who, when) on the person’s case, then destroys the key that sealed their name, phone, ID number and address. ' +
      'Afterwards every view, history and export shows "（已销毁）" for them; the case, its number, history and revisions stay as they were. Cannot be undone. ' +
      'The person id is in the case view (`personal.*.personId`).',
  })
  @ApiParam({ name: 'personId', format: 'uuid', description: 'The person, as the case view names them' })
  @ApiOkResponse({ type: PersonalDataDestroyedDto })
  @ApiProblems(
    BAD_REQUEST,
    { status: 401, description: 'No valid access token' },
    { status: 403, description: 'Only an admin destroys personal data' },
    { status: 404, description: 'No such person' },
    { status: 409, description: 'The person’s data was destroyed already' },
    { status: 415, description: 'The body is not application/json' },
  )
  async destroy(
    @Param('personId', PERSON_ID_PIPE) personId: string,
    @Body() body: DestroyPersonalDataDto,
    @Req() req: Request,
  ): Promise<PersonalDataDestroyedDto> {
    const request = this.requests.create(req, 'destroy-personal-data', req.body, undefined);
    const { expectedRevision: _ignored, ...unconditional } = request;
    const done = await this.personalData.destroy(personId, body.reason, unconditional);
    return {
      ...done,
      revision: done.revision === null ? null : Number(done.revision),
      position: done.position === null ? null : done.position.toString(),
    };
  }
}
