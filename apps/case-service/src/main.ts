import { Logger } from '@nestjs/common';
import { createApp } from './bootstrap';
import { loadConfig } from './config/app-config';

async function main(): Promise<void> {
  const config = loadConfig();
  const app = await createApp(config);
  await app.listen(config.port);
  new Logger('CaseService').log(`Serving ${config.org.name} on http://localhost:${config.port} (API docs at /docs); data in ${config.dataDir}`);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
