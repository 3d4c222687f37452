import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { createApp } from '../../case-service/src/bootstrap';
import { loadConfig } from '../../case-service/src/config/app-config';

/**
 * The service's OpenAPI document exactly as it serves it at /docs-json: the service is started
 * in-process on a throw-away data folder and a free loopback port, asked once, and stopped.
 */
export async function serviceOpenApiDocument(): Promise<unknown> {
  const dataDir = mkdtempSync(join(tmpdir(), 'console-openapi-'));
  try {
    // A throw-away admin password keeps the first start from generating and printing one.
    const config = loadConfig({
      ...process.env,
      DATA_DIR: dataDir,
      SCHEDULER_INTERVAL_MS: '0',
      CASES_ADMIN_PASSWORD: randomBytes(18).toString('base64url'),
    });
    const app = await createApp(config, { logger: false });
    try {
      await app.listen(0, '127.0.0.1');
      const { port } = app.getHttpServer().address() as AddressInfo;
      const response = await fetch(`http://127.0.0.1:${port}/docs-json`);
      if (!response.ok) throw new Error(`GET /docs-json answered ${response.status}`);
      return await response.json();
    } finally {
      await app.close();
    }
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}
