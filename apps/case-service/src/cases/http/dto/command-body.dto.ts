import { DateTimeField } from './field-decorators';

/** What every command body of SPEC §6 accepts besides its own fields. */
export abstract class CommandBodyDto {
  @DateTimeField({
    optional: true,
    description:
      'Business time of the step (occurredAt), to record it after the fact: when the letter arrived, when the platform dispatched. ' +
      'Defaults to the time the server receives the command; may not lie in the future nor before the case’s previous command, ' +
      'and back-dating past the configured window needs the supervisor or admin role.',
    example: '2026-03-02T09:30:00+08:00',
  })
  readonly occurredAt?: string;
}
