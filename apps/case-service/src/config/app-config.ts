import { resolve } from 'node:path';

/**
 * Everything the service reads from its environment, parsed once at start. A bad value stops
 * the start with a message naming the variable, rather than surfacing later as odd behaviour.
 */
export interface AppConfig {
  port: number;
  dataDir: string;
  eventStore: 'sqlite';
  readModels: 'sqlite';
  /** The organisation (sub-district, 街道) the embedded deployment serves. */
  org: { id: string; name: string };
  auth: {
    /** CASES_JWT_SECRET; when unset, a key generated into DATA_DIR on first start (embedded default only). */
    jwtSecret?: string;
    accessTokenTtlSeconds: number;
    refreshTokenTtlSeconds: number;
    /** CASES_ADMIN_PASSWORD: the password of `admin`, created on the first start with an empty directory. */
    adminPassword?: string;
    /** Sign-in attempts a username may make per minute (an address: four times as many). */
    loginAttemptsPerMinute: number;
  };
  /** The handling units seeded on the first start (UNITS_FILE, default config/units.json). */
  unitsFile: string;
  /** Origins allowed to call the API from a browser (CORS_ORIGINS, comma-separated); none by default. */
  corsOrigins: string[];
  backdatingWindowMs: number;
  /** How long a query waits for the read models to reach the log's head before answering 503. */
  readYourWritesTimeoutMs: number;
  policyFile?: string;
  calendarOverrideFile?: string;
  /** KPI definitions (SPEC §4); the defaults when unset. */
  kpiFile?: string;
  /** How often the deadline scheduler looks for warnings and misses due; 0 turns it off. */
  schedulerIntervalMs: number;
  /** LOG_LEVEL: the least severe log level written (pino's names; `silent` writes nothing). Default info. */
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  /** READINESS_MAX_LAG: events a read model may trail the log before /health/ready answers 503. Default 10000. */
  readinessMaxLag: number;
}

export const APP_CONFIG = Symbol('APP_CONFIG');

export class ConfigError extends Error {
  constructor(variable: string, problem: string) {
    super(`Configuration ${variable}: ${problem}`);
    this.name = 'ConfigError';
  }
}

type Env = Record<string, string | undefined>;

function integer(env: Env, name: string, fallback: number, min: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min) throw new ConfigError(name, `expected an integer ≥ ${min}, got '${raw}'`);
  return value;
}

function oneOf<T extends string>(env: Env, name: string, allowed: readonly T[], fallback: T): T {
  const raw = env[name] ?? fallback;
  if (!(allowed as readonly string[]).includes(raw)) {
    throw new ConfigError(name, `expected one of ${allowed.join(', ')}, got '${raw}'`);
  }
  return raw as T;
}

const IMPLEMENTED_STORES = ['sqlite'] as const;

export function loadConfig(env: Env = process.env): AppConfig {
  const eventStore = oneOf(env, 'EVENT_STORE', ['sqlite', 'postgres', 'kurrentdb'], 'sqlite');
  const readModels = oneOf(env, 'READ_MODELS', ['sqlite', 'postgres'], 'sqlite');
  for (const [name, value] of [
    ['EVENT_STORE', eventStore],
    ['READ_MODELS', readModels],
  ] as const) {
    if (!(IMPLEMENTED_STORES as readonly string[]).includes(value)) {
      throw new ConfigError(name, `'${value}' is not available in this release; use 'sqlite'`);
    }
  }
  const orgName = env.ORG_NAME?.trim() || '大雁塔街道';
  const adminPassword = env.CASES_ADMIN_PASSWORD || undefined;
  if (adminPassword !== undefined && adminPassword.length < 10) {
    throw new ConfigError('CASES_ADMIN_PASSWORD', 'must be at least 10 characters');
  }
  const jwtSecret = env.CASES_JWT_SECRET || undefined;
  if (jwtSecret !== undefined && jwtSecret.length < 32) throw new ConfigError('CASES_JWT_SECRET', 'must be at least 32 characters');
  return {
    port: integer(env, 'PORT', 3000, 0),
    dataDir: resolve(env.DATA_DIR || './data'),
    eventStore: 'sqlite',
    readModels: 'sqlite',
    org: { id: env.ORG_ID?.trim() || 'default', name: orgName },
    auth: {
      jwtSecret,
      accessTokenTtlSeconds: integer(env, 'ACCESS_TOKEN_TTL_SECONDS', 900, 30),
      refreshTokenTtlSeconds: integer(env, 'REFRESH_TOKEN_TTL_SECONDS', 12 * 3600, 60),
      adminPassword,
      loginAttemptsPerMinute: integer(env, 'LOGIN_ATTEMPTS_PER_MINUTE', 5, 1),
    },
    unitsFile: resolve(env.UNITS_FILE || 'config/units.json'),
    corsOrigins: (env.CORS_ORIGINS ?? '')
      .split(',')
      .map((origin) => origin.trim())
      .filter((origin) => origin !== ''),
    backdatingWindowMs: integer(env, 'BACKDATING_WINDOW_DAYS', 7, 0) * 86_400_000,
    readYourWritesTimeoutMs: integer(env, 'READ_YOUR_WRITES_TIMEOUT_MS', 5000, 1),
    policyFile: env.POLICY_FILE || undefined,
    calendarOverrideFile: env.CALENDAR_OVERRIDE_FILE || undefined,
    kpiFile: env.KPI_FILE || undefined,
    schedulerIntervalMs: integer(env, 'SCHEDULER_INTERVAL_MS', 30_000, 0),
    logLevel: oneOf(env, 'LOG_LEVEL', ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], 'info'),
    readinessMaxLag: integer(env, 'READINESS_MAX_LAG', 10_000, 0),
  };
}
