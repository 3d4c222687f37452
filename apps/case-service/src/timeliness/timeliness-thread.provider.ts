import { join } from 'node:path';
import type { Provider } from '@nestjs/common';
import type { KpiDefinitions } from '@cases/domain';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { LongWorkThread } from '../long-work/long-work.thread';
import { KPI_DEFINITIONS } from './kpi-definitions.provider';
import type { TimelinessWorkerData } from './timeliness.worker';

export const TIMELINESS_THREAD = Symbol('TIMELINESS_THREAD');

/** The long-work thread the timeliness replays run on (docs/statistics.md, "Long work"), with the settings it needs as plain data. */
export const timelinessThreadProvider: Provider = {
  provide: TIMELINESS_THREAD,
  inject: [APP_CONFIG, KPI_DEFINITIONS],
  useFactory: (config: AppConfig, definitions: KpiDefinitions) => {
    const workerData: TimelinessWorkerData = {
      dataDir: config.dataDir,
      eventStore: config.eventStore,
      databaseUrl: config.databaseUrl,
      kurrentDbUrl: config.kurrentDbUrl,
      calendarOverrideFile: config.calendarOverrideFile,
      orgId: config.org.id,
      orgName: config.org.name,
      definitions,
      timelinessSnapshotEvery: config.timelinessSnapshotEvery,
    };
    return new LongWorkThread(join(__dirname, 'timeliness.worker'), workerData, config.longWorkHeapMb);
  },
};
