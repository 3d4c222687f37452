import { BadRequestException, PayloadTooLargeException, UnsupportedMediaTypeException } from '@nestjs/common';
import { raw, type NextFunction, type Request, type RequestHandler, type Response } from 'express';
import { SHAPE_LIMITS } from '../cases/http/dto/validate-body';
import { RequestValidationError, type FieldError } from './problem-details';
import { textProblem } from './text-rules';

/**
 * What one request body may hold. Every legitimate body of the API is far inside these bounds
 * (the deepest, a what-if policy, nests six levels and holds about two hundred members); they exist
 * so that no body can make the server work for long, or answer at length, before it is refused.
 */
export const BODY_LIMITS = {
  /** Larger bodies are refused with 413 before they are read. */
  maxBytes: 1024 * 1024,
  /** Objects and arrays nested deeper are refused (400) before the body is parsed. */
  maxDepth: SHAPE_LIMITS.maxDepth,
  /** Objects, arrays and values in all; more are refused (400) before the body is parsed. */
  maxMembers: SHAPE_LIMITS.maxMembers,
} as const;

export type BodyLimits = typeof BODY_LIMITS;

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * The API's one body parser, in place of Express's JSON parser. A request with a body must send
 * `application/json` (or a `+json` type) in UTF-8, uncompressed: another media type, charset or
 * content coding is a 415. The body is then checked in order, each check cheap and bounded, before
 * the next one runs: size (413), UTF-8 (400), nesting depth and member count (400, counted on the
 * raw text so that a hostile body is never parsed), JSON syntax (400), and the text of every key
 * and string (400 for NUL and other control characters, and for lone surrogates written as
 * `\uD800` escapes, which valid UTF-8 cannot carry but JSON can).
 *
 * A request without a body, or with an empty one, gets `req.body` undefined.
 */
export function jsonBody(limits: BodyLimits = BODY_LIMITS): RequestHandler {
  const readRaw = raw({ type: () => true, limit: limits.maxBytes, inflate: false });
  return (req: Request, res: Response, next: NextFunction) => {
    if (!hasBody(req)) {
      req.body = undefined;
      next();
      return;
    }
    const refusal = mediaTypeRefusal(req);
    if (refusal) {
      next(refusal);
      return;
    }
    readRaw(req, res, (error?: unknown) => {
      if (error) {
        next(readError(error, limits));
        return;
      }
      try {
        req.body = parseBody(req.body as Buffer, limits);
        next();
      } catch (refused) {
        next(refused);
      }
    });
  };
}

function hasBody(req: Request): boolean {
  return req.headers['transfer-encoding'] !== undefined || Number(req.headers['content-length'] ?? 0) > 0;
}

function mediaTypeRefusal(req: Request): Error | undefined {
  const encoding = (req.headers['content-encoding'] ?? 'identity').trim().toLowerCase();
  if (encoding !== 'identity') {
    return new UnsupportedMediaTypeException(`Content-Encoding '${encoding}' is not accepted: send the body uncompressed`);
  }
  const header = req.headers['content-type'];
  if (header === undefined)
    return new UnsupportedMediaTypeException("A body must be sent as 'application/json'; no Content-Type was given");
  const { type, charset } = parseContentType(header);
  if (type !== 'application/json' && !/^application\/[a-z0-9.+-]+\+json$/.test(type)) {
    return new UnsupportedMediaTypeException(`Bodies must be 'application/json', not '${type}'`);
  }
  if (charset !== undefined && !['utf-8', 'utf8'].includes(charset.toLowerCase())) {
    return new UnsupportedMediaTypeException(`Bodies must be UTF-8, not charset '${charset}'`);
  }
  return undefined;
}

/** `type/subtype; charset=x` → its lower-cased media type and charset (other parameters are ignored). */
function parseContentType(header: string): { type: string; charset?: string } {
  const [media, ...parameters] = header.split(';');
  let charset: string | undefined;
  for (const parameter of parameters) {
    const [name, value = ''] = parameter.split('=');
    if (name.trim().toLowerCase() === 'charset') charset = value.trim().replace(/^"(.*)"$/, '$1');
  }
  return { type: media.trim().toLowerCase(), ...(charset !== undefined ? { charset } : {}) };
}

function readError(error: unknown, limits: BodyLimits): Error {
  const type = (error as { type?: string }).type;
  if (type === 'entity.too.large') {
    return new PayloadTooLargeException(`The body is larger than ${limits.maxBytes} bytes`);
  }
  // Aborted or truncated uploads, a Content-Length that does not match: a client error, as body-parser marks it.
  return error instanceof Error ? error : new BadRequestException('The body could not be read');
}

/** The parsed body, or a RequestValidationError naming what is wrong with it. */
export function parseBody(bytes: Buffer, limits: BodyLimits = BODY_LIMITS): unknown {
  let text: string;
  try {
    text = utf8.decode(bytes);
  } catch {
    throw refuse('the body is not valid UTF-8');
  }
  // An empty body is no body, as Express's JSON parser had it: a command without fields.
  if (text.trim() === '') return undefined;
  const shape = measureJsonText(text, limits);
  if (shape) throw refuse(shape);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw refuse(`the body is not valid JSON (${error instanceof Error ? error.message : String(error)})`);
  }
  const textErrors = badText(value);
  if (textErrors.length > 0) throw new RequestValidationError(textErrors);
  return value;
}

function refuse(message: string): RequestValidationError {
  return new RequestValidationError([{ field: '', message }]);
}

const OPEN_OBJECT = 0x7b;
const OPEN_ARRAY = 0x5b;
const CLOSE_OBJECT = 0x7d;
const CLOSE_ARRAY = 0x5d;
const COMMA = 0x2c;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;

/**
 * One pass over the JSON text, outside strings: how deep brackets nest and how many members there
 * are (each container, plus one per comma). Returns why the body is refused, or undefined. It
 * trusts nothing about the syntax: JSON.parse judges that afterwards, on a body now known small.
 */
export function measureJsonText(text: string, limits: Pick<BodyLimits, 'maxDepth' | 'maxMembers'>): string | undefined {
  let depth = 0;
  let members = 1;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === BACKSLASH) i++;
      else if (c === QUOTE) inString = false;
      continue;
    }
    if (c === QUOTE) inString = true;
    else if (c === OPEN_OBJECT || c === OPEN_ARRAY) {
      if (++depth > limits.maxDepth) return `the body nests objects and arrays deeper than ${limits.maxDepth} levels`;
      if (++members > limits.maxMembers) return `the body holds more than ${limits.maxMembers} members`;
    } else if (c === CLOSE_OBJECT || c === CLOSE_ARRAY) depth--;
    else if (c === COMMA && ++members > limits.maxMembers) return `the body holds more than ${limits.maxMembers} members`;
  }
  return undefined;
}

/** Every key and string of a parsed body whose text is refused, by path; walks without recursion. */
function badText(root: unknown): FieldError[] {
  const errors: FieldError[] = [];
  const stack: [unknown, string][] = [[root, '']];
  while (stack.length > 0) {
    const [value, path] = stack.pop() as [unknown, string];
    if (typeof value === 'string') {
      const problem = textProblem(value);
      if (problem) errors.push({ field: path, message: problem });
    } else if (Array.isArray(value)) {
      value.forEach((item, index) => stack.push([item, join(path, String(index))]));
    } else if (value !== null && typeof value === 'object') {
      for (const [key, item] of Object.entries(value)) {
        const problem = textProblem(key);
        if (problem) errors.push({ field: join(path, key), message: `the member name ${problem}` });
        stack.push([item, join(path, key)]);
      }
    }
  }
  return errors;
}

function join(parent: string, key: string): string {
  return parent === '' ? key : `${parent}.${key}`;
}
