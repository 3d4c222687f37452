import type { ApiHeaderOptions } from '@nestjs/swagger';

const IDEMPOTENCY_KEY: ApiHeaderOptions = {
  name: 'Idempotency-Key',
  required: false,
  description:
    'The same key and body replays the first answer; the same key with another body is 422. Scoped to one case for a lifecycle command, to the endpoint for an intake.',
};
const CORRELATION_ID: ApiHeaderOptions = {
  name: 'X-Correlation-Id',
  required: false,
  description: 'Recorded on every event the command writes.',
};
const IF_MATCH: ApiHeaderOptions = {
  name: 'If-Match',
  required: false,
  description: 'The revision last seen (the ETag of GET /api/cases/{id}); a stale one is 412.',
};

/** The request headers each kind of command documents. */
export const COMMAND_HEADERS = {
  intake: [IDEMPOTENCY_KEY, CORRELATION_ID],
  lifecycle: [IF_MATCH, IDEMPOTENCY_KEY, CORRELATION_ID],
};
