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
  const reservedKeyErrors: FieldError[] = [];
  const data = withoutReservedKeys(body, '', reservedKeyErrors);
  const value = plainToInstance(cls, data);
  const errors = [
    ...flatten(validateSync(value, { whitelist: true, forbidNonWhitelisted: true, stopAtFirstError: true }), ''),
    ...reservedKeyErrors,
  ];
  return errors.length > 0 ? { errors } : { value };
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
