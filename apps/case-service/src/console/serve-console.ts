import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { static as serveStatic, type NextFunction, type Request, type Response } from 'express';

/** Paths the service answers itself; everything else that is a page of the console gets its index.html. */
export const SERVICE_PATH_PREFIXES = ['/api', '/docs', '/health', '/metrics'] as const;

/** Where `npm run build:console` writes the console (apps/console/dist), found from the repository root. */
export function consoleAssetsDirectory(from: string = __dirname): string | undefined {
  let folder = from;
  while (!existsSync(join(folder, 'package.json'))) {
    const parent = dirname(folder);
    if (parent === folder) return undefined;
    folder = parent;
  }
  const assets = join(folder, 'apps', 'console', 'dist');
  return existsSync(join(assets, 'index.html')) ? assets : undefined;
}

function isServicePath(path: string): boolean {
  return SERVICE_PATH_PREFIXES.some((prefix) => path === prefix || path.startsWith(`${prefix}/`) || path.startsWith(`${prefix}-`));
}

/**
 * Serves the built console at `/`, same origin as the API, so it needs no CORS and its token never
 * crosses origins. Hashed bundles under /assets are cached for good; index.html never is, so a new
 * build reaches browsers on their next load. A GET for a console route (/queue, /cases/…) that is
 * no file answers index.html and the console's router takes over; the service's own paths are
 * never touched. Returns false, serving nothing, when the console has not been built.
 */
export function serveConsole(app: NestExpressApplication, directory: string | undefined = consoleAssetsDirectory()): boolean {
  if (directory === undefined) return false;
  const index = join(directory, 'index.html');
  const files = serveStatic(directory, {
    index: false,
    setHeaders: (response: Response, path: string) => {
      response.setHeader(
        'Cache-Control',
        path.includes(`${join(directory, 'assets')}`) ? 'public, max-age=31536000, immutable' : 'no-cache',
      );
    },
  });
  // The service's own paths never look on the disk: no file in the console's folder can answer in
  // their place, and a /health probe or a read of the work queue costs no file lookup.
  app.use((request: Request, response: Response, next: NextFunction) =>
    isServicePath(request.path) ? next() : files(request, response, next),
  );
  app.use((request: Request, response: Response, next: NextFunction) => {
    const isPage =
      (request.method === 'GET' || request.method === 'HEAD') && !isServicePath(request.path) && !/\.[a-z0-9]+$/i.test(request.path);
    if (!isPage) return next();
    response.setHeader('Cache-Control', 'no-cache');
    response.sendFile(index, (error) => error && next(error));
  });
  return true;
}
