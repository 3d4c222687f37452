import { URGENCIES, type Urgency } from '@cases/domain';
import { CallerDto } from '../../cases/http/dto/intake.dto';
import { DateTimeField, EnumField, MAX_LENGTH, NestedField, TextField } from '../../cases/http/dto/field-decorators';
import { isJsonObject, validateBody, type FieldError } from '../../cases/http/dto/validate-body';

/**
 * The 12345 platform's messages on `gov12345.tickets` (SPEC §8, version 1), parsed and validated
 * with the same field rules as the HTTP intake. Unknown fields are refused, as on HTTP: a field
 * this version does not know would otherwise be dropped without anyone noticing.
 */

export const TICKET_SCHEMAS = {
  dispatched: 'gov12345.ticket.dispatched/v1',
  urged: 'gov12345.ticket.urged/v1',
  withdrawn: 'gov12345.ticket.withdrawn/v1',
} as const;

const SCHEMA_NAME_MAX_LENGTH = 100;

class TicketMessageDto {
  @TextField({ maxLength: SCHEMA_NAME_MAX_LENGTH, description: 'Message schema and version' })
  readonly schema: string;

  @TextField({ maxLength: MAX_LENGTH.platformTicketNo, description: 'Ticket number on the 12345 platform (平台工单号)' })
  readonly ticketNo: string;
}

export class TicketDispatchedV1 extends TicketMessageDto {
  @TextField({ maxLength: MAX_LENGTH.title, description: 'Title (标题)' })
  readonly title: string;

  @TextField({ maxLength: MAX_LENGTH.text, description: 'What the caller reported (诉求内容)' })
  readonly content: string;

  @TextField({ maxLength: MAX_LENGTH.name, description: 'Community (社区)' })
  readonly community: string;

  @TextField({ optional: true, maxLength: MAX_LENGTH.name, description: 'Category (分类)' })
  readonly category?: string;

  @EnumField(URGENCIES, { enumName: 'Urgency', description: 'Urgency (紧急程度)' })
  readonly urgency: Urgency;

  @NestedField(() => CallerDto, { optional: true, description: 'The caller (来电人)', personalData: true })
  readonly caller?: CallerDto;

  @DateTimeField({ optional: true, description: 'Resolve deadline set by the platform (平台办结时限)' })
  readonly deadline?: string;

  @DateTimeField({ description: 'When the platform dispatched the ticket (派单时间)' })
  readonly dispatchedAt: string;
}

export class TicketUrgedV1 extends TicketMessageDto {
  @DateTimeField({ description: 'When the platform urged the ticket (催办时间)' })
  readonly urgedAt: string;

  @TextField({ optional: true, maxLength: MAX_LENGTH.text, description: 'Note from the platform' })
  readonly note?: string;
}

export class TicketWithdrawnV1 extends TicketMessageDto {
  @DateTimeField({ description: 'When the platform withdrew the ticket (撤单时间)' })
  readonly withdrawnAt: string;

  @TextField({ maxLength: MAX_LENGTH.text, description: 'Why it was withdrawn' })
  readonly reason: string;
}

export type TicketMessage =
  | { schema: typeof TICKET_SCHEMAS.dispatched; ticket: TicketDispatchedV1 }
  | { schema: typeof TICKET_SCHEMAS.urged; ticket: TicketUrgedV1 }
  | { schema: typeof TICKET_SCHEMAS.withdrawn; ticket: TicketWithdrawnV1 };

/** Why a message can never be processed, as named in the dead-letter header `dlq-reason`. */
export type PoisonReason = 'unparseable' | 'unknown-schema' | 'invalid';

export interface PoisonMessage {
  reason: PoisonReason;
  /** What is wrong, naming fields and rules only: never a value, which may be personal data. */
  detail: string;
}

export type ParsedTicketMessage = { ok: true; message: TicketMessage } | { ok: false; poison: PoisonMessage };

const DTOS = {
  [TICKET_SCHEMAS.dispatched]: TicketDispatchedV1,
  [TICKET_SCHEMAS.urged]: TicketUrgedV1,
  [TICKET_SCHEMAS.withdrawn]: TicketWithdrawnV1,
} as const;

type KnownSchema = keyof typeof DTOS;

function isKnownSchema(schema: unknown): schema is KnownSchema {
  return typeof schema === 'string' && Object.prototype.hasOwnProperty.call(DTOS, schema);
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

function poison(reason: PoisonReason, detail: string): ParsedTicketMessage {
  return { ok: false, poison: { reason, detail } };
}

function describe(errors: readonly FieldError[]): string {
  return errors.map((error) => (error.field === '' ? error.message : `${error.field}: ${error.message}`)).join('; ');
}

/** Parses a message value from `gov12345.tickets`; a value that can never be processed comes back as poison. */
export function parseTicketMessage(value: Buffer | null): ParsedTicketMessage {
  if (value === null || value.length === 0) return poison('unparseable', 'the message has no value');
  let text: string;
  try {
    text = utf8.decode(value);
  } catch {
    return poison('unparseable', 'the value is not UTF-8 text');
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return poison('unparseable', 'the value is not JSON');
  }
  if (!isJsonObject(json)) return poison('unparseable', 'the value is not a JSON object');
  const schema = json.schema;
  if (!isKnownSchema(schema)) {
    const known = Object.keys(DTOS).join(', ');
    // The schema name is the platform's own identifier, not personal data; cap it all the same.
    const named = typeof schema === 'string' ? `'${schema.slice(0, SCHEMA_NAME_MAX_LENGTH)}'` : 'missing';
    return poison('unknown-schema', `schema ${named}; this service reads ${known}`);
  }
  const validated = validateBody(DTOS[schema] as new () => object, json);
  if ('errors' in validated) return poison('invalid', describe(validated.errors));
  return { ok: true, message: { schema, ticket: validated.value } as TicketMessage };
}
