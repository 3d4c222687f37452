import { Controller, Get, Inject } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiProperty, ApiTags } from '@nestjs/swagger';
import { EVENT_STORE, HashChainedEventStore, type EventStore } from '@cases/event-store';
import { Roles } from '../auth/auth.decorators';
import { verifyEventLog } from '../cli/verify-event-log';
import { ApiProblems } from '../http/openapi-responses';

/** At most this many problems are listed: the first one is what an auditor acts on. */
const LISTED_PROBLEMS = 100;

export class LogVerificationDto {
  @ApiProperty({ description: 'true when every event matches its hash and links to its predecessor, and the log is well-formed' })
  intact: boolean;

  @ApiProperty({ description: 'Events checked' })
  events: number;

  @ApiProperty({ description: 'Global log position the check reached, as a decimal string', example: '1042' })
  head: string;

  @ApiProperty({
    type: [String],
    description: `The problems found, the first event of each stream that does not match first; at most ${LISTED_PROBLEMS}`,
  })
  problems: string[];
}

@ApiTags('audit')
@ApiBearerAuth()
@Roles('supervisor', 'admin')
@Controller('api/audit')
export class AuditController {
  constructor(@Inject(EVENT_STORE) private readonly store: EventStore) {}

  @Get('verify')
  @ApiOperation({
    operationId: 'verifyLog',
    summary: 'Prove the history was never altered',
    description:
      'Walks the whole log: every event must match its hash and link to its stream predecessor (docs/decisions/0009-hash-chained-streams.md), positions and revisions must run without gaps, and every case must fold.',
  })
  @ApiOkResponse({ type: LogVerificationDto })
  @ApiProblems({ status: 401, description: 'No valid access token' }, { status: 403, description: 'Only a supervisor or an admin' })
  async verify(): Promise<LogVerificationDto> {
    if (!(this.store instanceof HashChainedEventStore)) throw new Error('The event store is not hash-chained');
    const result = await verifyEventLog(this.store);
    return {
      intact: result.problems.length === 0,
      events: result.events,
      head: result.head.toString(),
      problems: result.problems.slice(0, LISTED_PROBLEMS),
    };
  }
}
