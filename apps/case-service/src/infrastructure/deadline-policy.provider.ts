import { readFileSync } from 'node:fs';
import type { Provider } from '@nestjs/common';
import {
  BusinessCalendar,
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

/** The business calendar: chinese-days' holiday data plus the operator's CALENDAR_OVERRIDE_FILE. */
export function loadBusinessCalendar(config: AppConfig): BusinessCalendar {
  const override = config.calendarOverrideFile
    ? parseHolidayOverride(readJson('CALENDAR_OVERRIDE_FILE', config.calendarOverrideFile))
    : undefined;
  return createBusinessCalendar(override ? { override } : {});
}

/** The deadline policy: POLICY_FILE, else SPEC §3's defaults, over the business calendar. */
export function loadDeadlinePolicy(config: AppConfig, calendar: BusinessCalendar): ConfiguredDeadlinePolicy {
  const policy = config.policyFile ? parsePolicyConfig(readJson('POLICY_FILE', config.policyFile)) : DEFAULT_POLICY_CONFIG;
  return new ConfiguredDeadlinePolicy(policy, calendar);
}

export const deadlinePolicyProviders: Provider[] = [
  { provide: BusinessCalendar, inject: [APP_CONFIG], useFactory: loadBusinessCalendar },
  { provide: DEADLINE_POLICY, inject: [APP_CONFIG, BusinessCalendar], useFactory: loadDeadlinePolicy },
];
