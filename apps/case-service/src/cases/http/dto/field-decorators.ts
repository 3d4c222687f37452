import { applyDecorators, type Type } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional, type ApiPropertyOptions } from '@nestjs/swagger';
import { Transform, Type as TransformTo } from 'class-transformer';
import {
  ArrayMinSize,
  ArrayUnique,
  IsArray,
  IsBoolean,
  IsDefined,
  IsIn,
  IsInt,
  IsNotEmpty,
  IsObject,
  IsString,
  IsUUID,
  Matches,
  Max,
  MaxLength,
  Min,
  ValidateBy,
  ValidateIf,
  ValidateNested,
} from 'class-validator';
import { PLAUSIBLE_RANGE, isExistingInstant, isPlausibleInstant, namesExistingTime } from '../../../http/plausible-instants';

/**
 * One decorator per kind of field, each bundling presence, normalisation, validation and OpenAPI
 * documentation, so every DTO field states its rules in one line and the docs cannot drift from
 * what is enforced.
 *
 * Order matters: `validateBody` stops at a field's first failing rule (one error per field), and
 * `applyDecorators` registers the rules in the order written, so presence comes first, then the
 * type, then the finer checks.
 */

/** Maximum lengths in characters, counted after trimming. */
export const MAX_LENGTH = {
  title: 200,
  /** Descriptions, replies, reasons, notes, opinions: free text a person writes. */
  text: 10_000,
  /** People's names and short labels: community, category, unit, role. */
  name: 100,
  address: 200,
  platformTicketNo: 64,
} as const;

/**
 * Mainland numbers as people write them: a mobile (1[3-9] and 9 more digits, optionally grouped
 * 3-4-4 with '-'), or a landline with its area code (0 and 2-3 digits), an optional '-', the
 * 7-8 digit local number and an optional '-' extension.
 */
const PHONE_PATTERN = /^(?:1[3-9]\d-?\d{4}-?\d{4}|0\d{2,3}-?\d{7,8}(?:-\d{1,6})?)$/;

/** The 18-character resident ID number (居民身份证号码): 17 digits, then a digit or X. */
const RESIDENT_ID_PATTERN = /^\d{17}[\dX]$/;

/**
 * RFC 3339 date-time (what OpenAPI's `format: date-time` means) with an explicit offset: a
 * business time without one would be read in the server's zone, not Asia/Shanghai.
 */
const DATE_TIME_WITH_OFFSET_PATTERN = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?(?:Z|[+-]\d{2}:\d{2})$/;

export interface FieldOptions {
  /** OpenAPI description; carries the Chinese term where SPEC gives one. */
  description: string;
  example?: unknown;
  /**
   * The field may be absent. It may not be `null`: the domain's optional fields are never null,
   * and a null must not slip past validation into a command.
   */
  optional?: boolean;
  /** SPEC §7: a person's data; the description says so, so client authors know how it is handled. */
  personalData?: boolean;
}

const PERSONAL_DATA_NOTE = 'Personal data: kept out of the read models and shown masked.';

function presence(options: FieldOptions): PropertyDecorator {
  return options.optional
    ? ValidateIf((_object: object, value: unknown) => value !== undefined)
    : IsDefined({ message: '$property is required' });
}

function documented(options: FieldOptions, schema: ApiPropertyOptions): PropertyDecorator {
  const description = options.personalData ? `${options.description}. ${PERSONAL_DATA_NOTE}` : options.description;
  const document = options.optional ? ApiPropertyOptional : ApiProperty;
  return document({ ...schema, description, example: options.example });
}

/** Leading and trailing blanks are never meaningful in these fields, and a blank-only value is empty. */
const trimmed = Transform(({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value));

const mustBeString = IsString({ message: '$property must be a string' });

/** Free text: trimmed, non-empty, at most `maxLength` characters. */
export function TextField(options: FieldOptions & { maxLength: number }): PropertyDecorator {
  return applyDecorators(
    presence(options),
    trimmed,
    mustBeString,
    IsNotEmpty({ message: '$property must not be empty' }),
    MaxLength(options.maxLength, { message: '$property must be at most $constraint1 characters long' }),
    documented(options, { type: String, minLength: 1, maxLength: options.maxLength }),
  );
}

export function PhoneField(options: FieldOptions): PropertyDecorator {
  return applyDecorators(
    presence(options),
    trimmed,
    mustBeString,
    Matches(PHONE_PATTERN, {
      message:
        '$property must be a mainland phone number: a mobile (11 digits starting with 13-19) or a landline with its area code; digits and "-" only',
    }),
    documented(options, { type: String, pattern: PHONE_PATTERN.source }),
  );
}

export function ResidentIdField(options: FieldOptions): PropertyDecorator {
  return applyDecorators(
    presence(options),
    // A lower-case check character is the same number; store one spelling so equal ids compare equal.
    Transform(({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim().toUpperCase() : value)),
    mustBeString,
    Matches(RESIDENT_ID_PATTERN, {
      message: '$property must be an 18-character resident ID number: 17 digits, then a digit or X',
    }),
    documented(options, { type: String, pattern: RESIDENT_ID_PATTERN.source }),
  );
}

export function EnumField(values: readonly string[], options: FieldOptions & { enumName: string }): PropertyDecorator {
  return applyDecorators(
    presence(options),
    IsIn([...values], { message: `$property must be one of: ${values.join(', ')}` }),
    documented(options, { enum: [...values], enumName: options.enumName }),
  );
}

/** A list of distinct values, each one of `values`. */
export function EnumArrayField(values: readonly string[], options: FieldOptions & { enumName: string }): PropertyDecorator {
  return applyDecorators(
    presence(options),
    IsArray({ message: '$property must be an array' }),
    IsIn([...values], { each: true, message: `every item of $property must be one of: ${values.join(', ')}` }),
    ArrayUnique({ message: '$property must not repeat an item' }),
    documented(options, { enum: [...values], enumName: options.enumName, isArray: true, uniqueItems: true }),
  );
}

export function DateTimeField(options: FieldOptions): PropertyDecorator {
  return applyDecorators(
    presence(options),
    ValidateBy(
      {
        name: 'isDateTimeWithOffset',
        validator: {
          // The pattern fixes the shape; the digits must then name a day and time that exist (02-30 does not).
          validate: (value: unknown) => typeof value === 'string' && DATE_TIME_WITH_OFFSET_PATTERN.test(value) && namesExistingTime(value),
        },
      },
      { message: '$property must be an ISO-8601 date-time with seconds and a UTC offset, e.g. 2026-03-02T09:30:00+08:00' },
    ),
    PlausibleInstant(),
    documented({ ...options, description: `${options.description}; ${PLAUSIBLE_RANGE}` }, { type: String, format: 'date-time' }),
  );
}

/** The instant lies in the range every accepted instant must (see plausible-instants.ts). */
export function PlausibleInstant(): PropertyDecorator {
  return ValidateBy(
    { name: 'isPlausibleInstant', validator: { validate: (value: unknown) => isPlausibleInstant(value) } },
    { message: `$property must lie ${PLAUSIBLE_RANGE}` },
  );
}

/**
 * An instant in a query string: an ISO-8601 date (midnight in Asia/Shanghai) or a date-time with an
 * offset, naming a day that exists, within the plausible range.
 */
export function QueryInstantField(options: FieldOptions): PropertyDecorator {
  return applyDecorators(
    presence(options),
    ValidateBy(
      { name: 'isExistingInstant', validator: { validate: (value: unknown) => isExistingInstant(value) } },
      {
        message: '$property must be a date that exists (YYYY-MM-DD, midnight in Asia/Shanghai) or an ISO-8601 date-time with a UTC offset',
      },
    ),
    PlausibleInstant(),
    documented({ ...options, description: `${options.description}; ${PLAUSIBLE_RANGE}` }, { type: String }),
  );
}

/**
 * A whole number in a query string, within [min, max]. One rule and one message, so a value that
 * is not a number is never told it is too large, and digits beyond the range (99999999999999999999)
 * are refused as text before they become a number that has lost its precision.
 */
export function QueryIntegerField(options: FieldOptions & { min: number; max: number; default?: number }): PropertyDecorator {
  const digits = String(options.max).length;
  const pattern = new RegExp(`^\\d{1,${digits}}$`);
  return applyDecorators(
    presence(options),
    Transform(({ value }: { value: unknown }) => (typeof value === 'string' && pattern.test(value) ? Number(value) : value)),
    ValidateBy(
      {
        name: 'isBoundedInteger',
        validator: {
          validate: (value: unknown) =>
            typeof value === 'number' && Number.isInteger(value) && value >= options.min && value <= options.max,
        },
      },
      { message: `$property must be a whole number from ${options.min} to ${options.max}` },
    ),
    documented(options, {
      type: 'integer',
      minimum: options.min,
      maximum: options.max,
      ...(options.default !== undefined ? { default: options.default } : {}),
    }),
  );
}

export function BooleanField(options: FieldOptions): PropertyDecorator {
  return applyDecorators(
    presence(options),
    IsBoolean({ message: '$property must be a boolean (true or false)' }),
    documented(options, { type: Boolean }),
  );
}

export function IntegerField(options: FieldOptions & { min: number; max: number }): PropertyDecorator {
  const range = `$property must be between ${options.min} and ${options.max}`;
  return applyDecorators(
    presence(options),
    IsInt({ message: '$property must be an integer' }),
    Min(options.min, { message: range }),
    Max(options.max, { message: range }),
    documented(options, { type: 'integer', minimum: options.min, maximum: options.max }),
  );
}

export function UuidField(options: FieldOptions): PropertyDecorator {
  return applyDecorators(
    presence(options),
    IsUUID('all', { message: '$property must be a UUID' }),
    documented(options, { type: String, format: 'uuid' }),
  );
}

/** A nested object validated against `nestedType`, unknown fields included. */
export function NestedField(nestedType: () => Type<object>, options: FieldOptions): PropertyDecorator {
  return applyDecorators(
    presence(options),
    // Without this an array of objects would pass: nested validation walks arrays element by element.
    IsObject({ message: '$property must be an object' }),
    ValidateNested(),
    TransformTo(nestedType),
    // Swagger resolves a lazy type only from a function named `type`, as this literal's is.
    documented(options, { type: () => nestedType() }),
  );
}

/** An array of objects, each validated against `itemType`; errors name the index (`parties.0.name`). */
export function NestedArrayField(itemType: () => Type<object>, options: FieldOptions & { minItems: number }): PropertyDecorator {
  return applyDecorators(
    presence(options),
    IsArray({ message: '$property must be an array' }),
    ArrayMinSize(options.minItems, { message: '$property must contain at least $constraint1 item(s)' }),
    // Rejects non-object items and nested arrays, which nested validation would otherwise descend into.
    IsObject({ each: true, message: 'every item of $property must be an object' }),
    ValidateNested({ each: true }),
    TransformTo(itemType),
    documented(options, { type: () => itemType(), isArray: true, minItems: options.minItems }),
  );
}
