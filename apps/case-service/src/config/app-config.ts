import { resolve } from 'node:path';
import { ROLES, type Actor, type Role } from '@cases/domain';

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
  /** Who commands run as until sign-in exists. */
  defaultActor: Actor;
  /** Accept X-Actor-Id / X-Actor-Role / X-Actor-Unit from a trusted gateway (off by default). */
  trustActorHeaders: boolean;
  backdatingWindowMs: number;
  /** How long a query waits for the read models to reach the log's head before answering 503. */
  readYourWritesTimeoutMs: number;
  policyFile?: string;
  calendarOverrideFile?: string;
  /** KPI definitions (SPEC §4); the defaults when unset. */
  kpiFile?: string;
  /** How often the deadline scheduler looks for warnings and misses due; 0 turns it off. */
  schedulerIntervalMs: number;
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

function boolean(env: Env, name: string): boolean {
  const raw = (env[name] ?? '').toLowerCase();
  if (raw === '' || raw === 'false' || raw === '0') return false;
  if (raw === 'true' || raw === '1') return true;
  throw new ConfigError(name, `expected true or false, got '${env[name]}'`);
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
  const actorRole = oneOf<Role>(env, 'DEFAULT_ACTOR_ROLE', ROLES, 'admin');
  return {
    port: integer(env, 'PORT', 3000, 0),
    dataDir: resolve(env.DATA_DIR || './data'),
    eventStore: 'sqlite',
    readModels: 'sqlite',
    org: { id: env.ORG_ID?.trim() || 'default', name: orgName },
    defaultActor: {
      id: env.DEFAULT_ACTOR_ID?.trim() || 'desk',
      role: actorRole,
      ...(env.DEFAULT_ACTOR_UNIT ? { unit: env.DEFAULT_ACTOR_UNIT } : {}),
    },
    trustActorHeaders: boolean(env, 'TRUST_ACTOR_HEADERS'),
    backdatingWindowMs: integer(env, 'BACKDATING_WINDOW_DAYS', 7, 0) * 86_400_000,
    readYourWritesTimeoutMs: integer(env, 'READ_YOUR_WRITES_TIMEOUT_MS', 5000, 1),
    policyFile: env.POLICY_FILE || undefined,
    calendarOverrideFile: env.CALENDAR_OVERRIDE_FILE || undefined,
    kpiFile: env.KPI_FILE || undefined,
    schedulerIntervalMs: integer(env, 'SCHEDULER_INTERVAL_MS', 30_000, 0),
  };
}
