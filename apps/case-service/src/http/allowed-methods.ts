import { METHODS } from 'node:http';
import type { Express } from 'express';

interface RouteLayer {
  route?: { methods: Record<string, boolean | undefined> };
  match(path: string): boolean;
}

/**
 * The methods the application's routes answer on `path` (GET implying HEAD, as Express serves it),
 * read from Express's own router, so it cannot disagree with what is routed. Used to answer 405
 * with `Allow` instead of 404 when the path exists under another method. A route registered for
 * every method is a middleware mount (Nest mounts route-scoped middleware that way), not an
 * endpoint, and is left out.
 */
export function routeMethods(app: Express): (path: string) => string[] {
  return (path) => {
    const stack = (app as unknown as { router: { stack: RouteLayer[] } }).router.stack;
    const methods = new Set<string>();
    for (const layer of stack) {
      if (!layer.route || !layer.match(path)) continue;
      const enabled = Object.entries(layer.route.methods).filter(([, on]) => on === true);
      if (enabled.length >= METHODS.length || layer.route.methods._all) continue;
      for (const [method] of enabled) {
        methods.add(method.toUpperCase());
      }
    }
    if (methods.has('GET')) methods.add('HEAD');
    return [...methods].sort();
  };
}
