import { ServiceError } from '../shared/errors';

/**
 * Operator-edited configuration (the deadline policy, the holiday override) arrives as untyped
 * JSON. Validation collects every problem with the path of the offending entry, so an operator
 * fixes the file in one pass instead of one error per restart.
 */
export interface ConfigIssue {
  /** Dotted path of the bad entry, e.g. `policy.hotline.urgent.sign.limit.amount`. */
  path: string;
  message: string;
}

/** At start a bad file stops the service; in a request (a what-if policy) it is a 400 naming every entry. */
export class ConfigValidationError extends ServiceError {
  constructor(
    readonly subject: string,
    readonly issues: readonly ConfigIssue[],
  ) {
    super(
      'REQUEST.INVALID',
      400,
      'Invalid request',
      `Invalid ${subject}: ${issues.map((issue) => `${issue.path}: ${issue.message}`).join('; ')}`,
      {
        errors: issues.map((issue) => ({ field: issue.path, message: issue.message })),
      },
    );
  }
}

export class ConfigIssueCollector {
  readonly issues: ConfigIssue[] = [];

  add(path: string, message: string): void {
    this.issues.push({ path, message });
  }

  /** Throws every collected issue at once; a no-op when there are none. */
  throwIfAny(subject: string): void {
    if (this.issues.length > 0) throw new ConfigValidationError(subject, this.issues);
  }

  /** The value as a plain object, or undefined (with an issue) when it is not one. */
  object(value: unknown, path: string): Record<string, unknown> | undefined {
    if (typeof value === 'object' && value !== null && !Array.isArray(value)) return value as Record<string, unknown>;
    this.add(path, 'expected an object');
    return undefined;
  }

  /** Unknown keys are errors, not silently ignored: a misspelt key would otherwise fall back to a default unnoticed. */
  onlyKeys(value: Record<string, unknown>, allowed: readonly string[], path: string): void {
    for (const key of Object.keys(value)) {
      if (!allowed.includes(key)) this.add(`${path}.${key}`, `unknown key (expected one of ${allowed.join(', ')})`);
    }
  }
}
