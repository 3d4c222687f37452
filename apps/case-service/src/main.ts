import { Logger } from '@nestjs/common';
import { createApp } from './bootstrap';
import { loadConfig } from './config/app-config';
import { checkEventStoreSettings } from './infrastructure/event-store.provider';
import { checkReadModelSettings } from './infrastructure/read-models.provider';

async function main(): Promise<void> {
  const config = loadConfig();
  await checkEventStoreSettings(config);
  await checkReadModelSettings(config);
  const app = await createApp(config);
  await app.listen(config.port);
  new Logger('CaseService').log(
    `Serving ${config.org.name} on http://localhost:${config.port} (API docs at /docs); data in ${config.dataDir}`,
  );
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
