import type { Type } from '@nestjs/common';
import { plainToInstance } from 'class-transformer';
import { validateSync, type ValidationError } from 'class-validator';

/** One problem with a request body; `field` is a dotted path (`parties.0.name`), '' for the body itself. */
export interface FieldError {
  field: string;
  message: string;
}

export type BodyValidation<T> = { value: T } | { errors: FieldError[] };

/**
 * Keys that class-transformer cannot copy as data: assigning `__proto__` replaces the instance's
 * prototype (its class, hence its rules), and `constructor`/`prototype` are skipped or clash with
 * the class. JSON.parse gives them as ordinary keys, so they are taken out and reported as unknown.
 */
export const RESERVED_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

/**
 * Validates a request body against a DTO class (SPEC §6: a bad body gets every field error named;
 * unknown fields, nested ones included, are errors, not silently dropped). Each failing field gets
 * one error, for its first broken rule, so a body with three problems gives three errors.
 */
export function validateBody<T extends object>(cls: Type<T>, body: unknown): BodyValidation<T> {
  if (!isJsonObject(body)) {
    return { errors: [{ field: '', message: 'the request body must be a JSON object' }] };
  }
  const shape = shapeProblem(body);
  if (shape) return { errors: [{ field: '', message: shape }] };
  const reservedKeyErrors: FieldError[] = [];
  const data = withoutReservedKeys(body, '', reservedKeyErrors);
  const value = plainToInstance(cls, data);
  const errors = [
    ...flatten(validateSync(value, { whitelist: true, forbidNonWhitelisted: true, stopAtFirstError: true }), ''),
    ...reservedKeyErrors,
  ];
  return errors.length > 0 ? { errors } : { value };
}

/**
 * Bounds on the shape of what is validated: class-transformer and class-validator walk an input
 * recursively and report on every member, so a deep or wide input costs stack and time before a
 * single rule runs. The HTTP body parser refuses such bodies already (on the raw text); these
 * bounds hold for any other input (a query, a Kafka message).
 */
export const SHAPE_LIMITS = { maxDepth: 16, maxMembers: 2_000 } as const;

/**
 * Why `value` is too deep or too large to validate, or undefined. Walks iteratively and stops at
 * the first bound crossed, so it costs at most `maxMembers` steps whatever the input.
 */
export function shapeProblem(value: unknown, limits: { maxDepth: number; maxMembers: number } = SHAPE_LIMITS): string | undefined {
  const stack: [unknown, number][] = [[value, 0]];
  let members = 0;
  while (stack.length > 0) {
    const [item, depth] = stack.pop() as [unknown, number];
    if (++members > limits.maxMembers) return `the input holds more than ${limits.maxMembers} members`;
    if (item === null || typeof item !== 'object') continue;
    if (depth + 1 > limits.maxDepth) return `the input nests objects and arrays deeper than ${limits.maxDepth} levels`;
    for (const child of Array.isArray(item) ? item : Object.values(item)) stack.push([child, depth + 1]);
  }
  return undefined;
}

export function isJsonObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function joinPath(parent: string, key: string): string {
  return parent === '' ? key : `${parent}.${key}`;
}

/** A copy of `value` without reserved keys at any depth; each one removed is recorded as an error. */
export function withoutReservedKeys(value: unknown, path: string, errors: FieldError[]): unknown {
  if (Array.isArray(value)) {
    return value.map((item, index) => withoutReservedKeys(item, joinPath(path, String(index)), errors));
  }
  if (!isJsonObject(value)) {
    return value;
  }
  const copy: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) {
    const field = joinPath(path, key);
    if (RESERVED_KEYS.has(key)) {
      errors.push({ field, message: `property ${key} should not exist` });
    } else {
      copy[key] = withoutReservedKeys(item, field, errors);
    }
  }
  return copy;
}

export function flatten(errors: ValidationError[], parentPath = ''): FieldError[] {
  return errors.flatMap((error) => {
    const field = joinPath(parentPath, error.property);
    const own = Object.values(error.constraints ?? {}).map((message) => ({ field, message }));
    return [...own, ...flatten(error.children ?? [], field)];
  });
}
