import { readFileSync } from 'node:fs';
import type { Provider } from '@nestjs/common';
import { DEFAULT_KPI_DEFINITIONS, parseKpiDefinitions } from '@cases/domain';
import { APP_CONFIG, ConfigError, type AppConfig } from '../config/app-config';

export const KPI_DEFINITIONS = Symbol('KPI_DEFINITIONS');

/** KPI definitions (KPI_FILE, else SPEC §4's defaults): which milestones and outcomes each rate counts. */
export const kpiDefinitionsProvider: Provider = {
  provide: KPI_DEFINITIONS,
  inject: [APP_CONFIG],
  useFactory: (config: AppConfig) => {
    if (!config.kpiFile) return DEFAULT_KPI_DEFINITIONS;
    let json: unknown;
    try {
      json = JSON.parse(readFileSync(config.kpiFile, 'utf8'));
    } catch (error) {
      throw new ConfigError('KPI_FILE', `cannot read ${config.kpiFile}: ${error instanceof Error ? error.message : String(error)}`);
    }
    return parseKpiDefinitions(json);
  },
};
