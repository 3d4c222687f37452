import type { ApiHeaderOptions } from '@nestjs/swagger';
import { REQUEST_ID_FORMAT, REQUEST_ID_PATTERN } from '../../http/request-ids';

/** The format every request-id header shares; another value is 400 and nothing from it is stored. */
const REQUEST_ID_SCHEMA = { type: 'string', pattern: REQUEST_ID_PATTERN.source, minLength: 1, maxLength: 64 } as const;
const FORMAT_NOTE = `Format: ${REQUEST_ID_FORMAT}; anything else is 400.`;

const IDEMPOTENCY_KEY: ApiHeaderOptions = {
  name: 'Idempotency-Key',
  required: false,
  description:
    "The same key and body replays the first answer; the same key with another body is 422. Scoped to the case for a lifecycle command; to all of the organisation's petition and dispute intakes, whichever endpoint; to the ticket's case for a hotline intake. " +
    FORMAT_NOTE,
  schema: REQUEST_ID_SCHEMA,
};
const CORRELATION_ID: ApiHeaderOptions = {
  name: 'X-Correlation-Id',
  required: false,
  description: `Recorded on every event the command writes and on every log line of the request; a new UUID when absent. Echoed in the answer. ${FORMAT_NOTE}`,
  schema: REQUEST_ID_SCHEMA,
};
const CAUSATION_ID: ApiHeaderOptions = {
  name: 'X-Causation-Id',
  required: false,
  description: `The id of what caused this command (an earlier request or message); recorded on every event it writes. ${FORMAT_NOTE}`,
  schema: REQUEST_ID_SCHEMA,
};
const IF_MATCH: ApiHeaderOptions = {
  name: 'If-Match',
  required: false,
  description: 'The revision last seen (the ETag of GET /api/cases/{id}); a stale one is 412.',
};

/** The request headers each kind of command documents. */
export const COMMAND_HEADERS = {
  intake: [IDEMPOTENCY_KEY, CORRELATION_ID, CAUSATION_ID],
  lifecycle: [IF_MATCH, IDEMPOTENCY_KEY, CORRELATION_ID, CAUSATION_ID],
};
