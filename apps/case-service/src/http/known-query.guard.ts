import { Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { ROUTE_ARGS_METADATA } from '@nestjs/common/constants';
import { RouteParamtypes } from '@nestjs/common/enums/route-paramtypes.enum';
import type { Request } from 'express';
import { RequestValidationError } from './problem-details';

/** What a handler reads from the query string: named parameters, or all of it through a DTO. */
type QueryUse = { names: ReadonlySet<string> } | 'dto';

interface RouteArgument {
  index: number;
  data?: unknown;
}

/**
 * Unknown query parameters are refused (400) on every route, as unknown body fields are, so a
 * misspelt filter never silently lists everything. What a route takes is read from its handler's
 * own parameter decorators: `@Query('asOf')` takes `asOf`; a handler without `@Query` takes
 * nothing; `@Query() dto: SomeDto` takes what the DTO declares, which the global validation pipe
 * enforces (it refuses non-whitelisted properties), so this guard leaves such routes to it. A
 * whole query read without a DTO class (`@Query() query: Record<string, string>`) is validated by
 * nothing, so such a route is taken to accept no parameter at all.
 */
@Injectable()
export class KnownQueryGuard implements CanActivate {
  private readonly uses = new WeakMap<object, QueryUse>();

  canActivate(context: ExecutionContext): boolean {
    if (context.getType() !== 'http') return true;
    const request = context.switchToHttp().getRequest<Request>();
    const given = Object.keys(request.query ?? {});
    if (given.length === 0) return true;
    const use = this.queryUse(context);
    if (use === 'dto') return true;
    const unknown = given.filter((name) => !use.names.has(name));
    if (unknown.length === 0) return true;
    const accepted = use.names.size === 0 ? 'this endpoint takes no query parameters' : `expected only ${[...use.names].join(', ')}`;
    throw new RequestValidationError(unknown.map((name) => ({ field: name, message: `unknown query parameter: ${accepted}` })));
  }

  private queryUse(context: ExecutionContext): QueryUse {
    const handler = context.getHandler();
    const cached = this.uses.get(handler);
    if (cached) return cached;
    const controller = context.getClass();
    const key = methodKey(controller, handler);
    const args: Record<string, RouteArgument> = (key && Reflect.getMetadata(ROUTE_ARGS_METADATA, controller, key)) || {};
    const types: unknown[] = (key && Reflect.getMetadata('design:paramtypes', controller.prototype, key)) || [];
    const names = new Set<string>();
    let use: QueryUse = { names };
    for (const [slot, argument] of Object.entries(args)) {
      if (slot !== `${RouteParamtypes.QUERY}:${argument.index}`) continue;
      if (typeof argument.data === 'string') names.add(argument.data);
      else if (isDtoClass(types[argument.index])) use = 'dto';
    }
    this.uses.set(handler, use);
    return use;
  }
}

/** A class the validation pipe validates (with its whitelist), as opposed to Object, a primitive or none. */
function isDtoClass(type: unknown): boolean {
  return typeof type === 'function' && ![Object, String, Number, Boolean, Array].includes(type as ObjectConstructor);
}

/**
 * The property under which `handler` sits on the controller's prototype. Handlers generated in a
 * loop are anonymous functions, so the function's `name` is not enough.
 */
function methodKey(controller: { prototype: object }, handler: object): string | undefined {
  if ('name' in handler && typeof handler.name === 'string' && handler.name !== '') {
    const named = (controller.prototype as Record<string, unknown>)[handler.name];
    if (named === handler) return handler.name;
  }
  let prototype: object | null = controller.prototype;
  while (prototype && prototype !== Object.prototype) {
    for (const key of Object.getOwnPropertyNames(prototype)) {
      const descriptor = Object.getOwnPropertyDescriptor(prototype, key);
      if (descriptor?.value === handler) return key;
    }
    prototype = Object.getPrototypeOf(prototype) as object | null;
  }
  return undefined;
}
