/**
 * Errors the service answers with on purpose, as opposed to bugs and outages. Each carries a stable
 * code and the HTTP status it stands for, so the API maps any of them to problem details (RFC 9457)
 * with one generic filter that knows no feature (docs/architecture.md, "Errors").
 */
export class ServiceError extends Error {
  constructor(
    /** Stable, dotted, upper-case: clients switch on it (`CASE.ILLEGAL_TRANSITION`). */
    readonly code: string,
    /** The HTTP status the error stands for (409 conflict, 422 rule broken, …). */
    readonly status: number,
    /** A short summary of the problem type, the same for every occurrence. */
    readonly title: string,
    message: string,
    /** Extension members of the problem details: what a client needs to act on it. */
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/**
 * The domain's error taxonomy: deciders and handlers name the kind of refusal, never a transport
 * status. Each code stands for exactly one status.
 */
const DOMAIN_ERRORS = {
  /** The command is not allowed in the case's current state. */
  'CASE.ILLEGAL_TRANSITION': { status: 409, title: 'Not allowed in this state' },
  /** Well-formed, but breaks a business rule (window passed, limit exceeded). */
  'CASE.INVALID_COMMAND': { status: 422, title: 'Business rule refused the command' },
  /** The actor may not do this (wrong unit, wrong role, back-dating without the role). */
  'CASE.FORBIDDEN': { status: 403, title: 'Forbidden' },
  'CASE.NOT_FOUND': { status: 404, title: 'Case not found' },
  /** A unit code or username the directory already holds. */
  'DIRECTORY.ALREADY_EXISTS': { status: 409, title: 'Already exists' },
  'DIRECTORY.NOT_FOUND': { status: 404, title: 'Not found' },
} as const;

export type DomainErrorCode = keyof typeof DOMAIN_ERRORS;

export class DomainError extends ServiceError {
  declare readonly code: DomainErrorCode;

  constructor(code: DomainErrorCode, message: string, details: Record<string, unknown> = {}) {
    super(code, DOMAIN_ERRORS[code].status, DOMAIN_ERRORS[code].title, message, details);
  }
}

export class IllegalTransitionError extends DomainError {
  constructor(
    readonly command: string,
    readonly state: string,
  ) {
    super('CASE.ILLEGAL_TRANSITION', `Command '${command}' is not allowed when the case is '${state}'`, { command, state });
  }
}
