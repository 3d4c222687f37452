/**
 * The domain's error taxonomy. Each code maps to exactly one HTTP status in the API layer, so
 * handlers and deciders never think about transport.
 */
export type DomainErrorCode =
  | 'CASE.ILLEGAL_TRANSITION' // 409: the command is not allowed in the case's current state
  | 'CASE.INVALID_COMMAND' // 422: well-formed but breaks a business rule (window passed, limit exceeded)
  | 'CASE.FORBIDDEN' // 403: the actor may not do this (wrong unit, back-dating without the role)
  | 'CASE.NOT_FOUND'; // 404

export class DomainError extends Error {
  constructor(
    readonly code: DomainErrorCode,
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = 'DomainError';
  }
}

export class IllegalTransitionError extends DomainError {
  constructor(
    readonly command: string,
    readonly status: string,
  ) {
    super('CASE.ILLEGAL_TRANSITION', `Command '${command}' is not allowed when the case is '${status}'`, {
      command,
      state: status,
    });
  }
}
