import { ValidationPipe, type ArgumentMetadata } from '@nestjs/common';
import { flatten, isJsonObject, shapeProblem, withoutReservedKeys, type FieldError } from '../cases/http/dto/validate-body';
import { RequestValidationError } from './problem-details';

/**
 * The one validation step of every route: Nest's ValidationPipe (class-validator) over the DTO a
 * handler declares for its body or query, answering 400 problem details that name every bad field
 * at once. Unknown fields are refused, never dropped; each field reports its first broken rule.
 *
 * Before class-transformer sees the input, its depth and size are bounded (`shapeProblem`), and keys it cannot copy as data (`__proto__`,
 * `constructor`, `prototype`: assigning `__proto__` would swap the DTO's class, hence its rules)
 * are taken out and reported as unknown, and a body that is not a JSON object is refused.
 */
export class ProblemValidationPipe extends ValidationPipe {
  constructor() {
    super({
      whitelist: true,
      forbidNonWhitelisted: true,
      stopAtFirstError: true,
      transform: true,
      validateCustomDecorators: false,
      exceptionFactory: (errors) => new RequestValidationError(flatten(errors)),
    });
  }

  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    if ((metadata.type !== 'body' && metadata.type !== 'query') || !this.toValidate(metadata)) {
      return super.transform(value, metadata);
    }
    // A command without a body (`sign`) is an empty one.
    const input = metadata.type === 'body' && value === undefined ? {} : value;
    if (!isJsonObject(input)) {
      throw new RequestValidationError([{ field: '', message: `the request ${metadata.type} must be a JSON object` }]);
    }
    // Bounded before class-transformer walks it (recursively): no input can exhaust the stack or the time.
    const shape = shapeProblem(input);
    if (shape) throw new RequestValidationError([{ field: '', message: shape }]);
    const reserved: FieldError[] = [];
    const data = withoutReservedKeys(input, '', reserved);
    let validatedValue: unknown;
    try {
      validatedValue = await super.transform(data, metadata);
    } catch (error) {
      if (error instanceof RequestValidationError) {
        throw reserved.length === 0
          ? error
          : new RequestValidationError([...error.errors, ...reserved], error.errorCount + reserved.length);
      }
      throw error;
    }
    if (reserved.length > 0) throw new RequestValidationError(reserved);
    return validatedValue;
  }
}
