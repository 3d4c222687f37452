import { readFileSync } from 'node:fs';
import type { Provider } from '@nestjs/common';
import {
  ConfiguredDeadlinePolicy,
  DEFAULT_POLICY_CONFIG,
  createBusinessCalendar,
  parseHolidayOverride,
  parsePolicyConfig,
} from '@cases/domain';
import { APP_CONFIG, ConfigError, type AppConfig } from '../config/app-config';

export const DEADLINE_POLICY = Symbol('DEADLINE_POLICY');

function readJson(variable: string, file: string): unknown {
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new ConfigError(variable, `cannot read ${file}: ${error instanceof Error ? error.message : String(error)}`);
  }
}

/** The deadline policy (POLICY_FILE, else SPEC §3's defaults) over the business calendar (plus CALENDAR_OVERRIDE_FILE). */
export function loadDeadlinePolicy(config: AppConfig): ConfiguredDeadlinePolicy {
  const policy = config.policyFile ? parsePolicyConfig(readJson('POLICY_FILE', config.policyFile)) : DEFAULT_POLICY_CONFIG;
  const override = config.calendarOverrideFile
    ? parseHolidayOverride(readJson('CALENDAR_OVERRIDE_FILE', config.calendarOverrideFile))
    : undefined;
  return new ConfiguredDeadlinePolicy(policy, createBusinessCalendar(override ? { override } : {}));
}

export const deadlinePolicyProvider: Provider = {
  provide: DEADLINE_POLICY,
  inject: [APP_CONFIG],
  useFactory: loadDeadlinePolicy,
};
