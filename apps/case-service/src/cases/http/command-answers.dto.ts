import { ApiProperty } from '@nestjs/swagger';

/** What a lifecycle command answers. */
export class CommandAnswerDto {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty({ description: 'The case stream revision after the command (also the ETag)', example: 3 })
  revision: number;

  @ApiProperty({
    description:
      'Position of the command’s last event in the global log, as a decimal string; pass it as `minPosition` to a query to read at least this far',
    example: '1042',
  })
  position: string;
}

/** What an intake answers. */
export class IntakeAnswerDto extends CommandAnswerDto {
  @ApiProperty({ description: 'Human-readable case number, unique per organisation, kind and year', example: 'XF2026-0001' })
  number: string;
}
