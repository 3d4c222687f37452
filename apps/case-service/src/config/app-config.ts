import { loadKafkaConfig, type KafkaConfig } from '../kafka/kafka.config';
import { ConfigError } from './config-error';
import { isIP } from 'node:net';
import { resolve } from 'node:path';
import { MasterKey } from '@cases/personal-data';

/**
 * Everything the service reads from its environment, parsed once at start. A bad value stops
 * the start with a message naming the variable, rather than surfacing later as odd behaviour.
 */
export interface AppConfig {
  port: number;
  dataDir: string;
  /** EVENT_STORE: where the event log lives (default sqlite, the file DATA_DIR/events.db). */
  eventStore: EventStoreKind;
  /** READ_MODELS: where the read models live, whatever EVENT_STORE says (default sqlite, the file DATA_DIR/read-models.db). */
  readModels: ReadModelsKind;
  /** DATABASE_URL: the PostgreSQL connection string; required with EVENT_STORE=postgres or READ_MODELS=postgres. */
  databaseUrl?: string;
  /** KURRENTDB_URL: the KurrentDB connection string (e.g. kurrentdb://host:2113?tls=false); required with EVENT_STORE=kurrentdb. */
  kurrentDbUrl?: string;
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
  /**
   * CASES_MASTER_KEY (base64 of 32 bytes): wraps every person's data key (SPEC §7). When unset, the
   * embedded default generates DATA_DIR/master.key on first start; production supplies it from a secret store.
   */
  masterKey?: MasterKey;
  /** The handling units seeded on the first start (UNITS_FILE, default config/units.json). */
  unitsFile: string;
  /** Origins allowed to call the API from a browser (CORS_ORIGINS, comma-separated); none by default. */
  corsOrigins: string[];
  /**
   * TRUST_PROXY: whose X-Forwarded-For names the client (Express `trust proxy`): a number of
   * proxies in front of the service, or the proxies' addresses, subnets or the names loopback,
   * linklocal, uniquelocal. False (unset): the connection's own address is the client's.
   */
  trustProxy: number | string[] | false;
  backdatingWindowMs: number;
  /** How long a query waits for the read models to reach the log's head before answering 503. */
  readYourWritesTimeoutMs: number;
  policyFile?: string;
  calendarOverrideFile?: string;
  /** KPI definitions (SPEC §4); the defaults when unset. */
  kpiFile?: string;
  /** How often the deadline scheduler looks for warnings and misses due; 0 turns it off. */
  schedulerIntervalMs: number;
  /** The 12345 platform's topics and the case-event relay; null without KAFKA_BROKERS (Kafka off). */
  kafka: KafkaConfig | null;
  /** LOG_LEVEL: the least severe log level written (pino's names; `silent` writes nothing). Default info. */
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  /** READINESS_MAX_LAG: events a read model may trail the log before /health/ready answers 503. Default 10000. */
  readinessMaxLag: number;
  /** LONG_WORK_QUEUE: long jobs (what-if, report at a past position, export) that may wait behind the running one; the next is refused with 503. Default 3. */
  longWorkQueue: number;
  /** LONG_WORK_HEAP_MB: the heap limit of the thread long work runs on (docs/statistics.md, "Long work"); past it the job fails with 500 and the service carries on. Default 192. */
  longWorkHeapMb: number;
  /** TIMELINESS_SNAPSHOT_EVERY: log positions between two snapshots of the timeliness facts (docs/statistics.md); 0 takes none. Default 100000. */
  timelinessSnapshotEvery: number;
}

export const APP_CONFIG = Symbol('APP_CONFIG');

export { ConfigError };

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

export const EVENT_STORE_KINDS = ['sqlite', 'postgres', 'kurrentdb'] as const;
export const READ_MODELS_KINDS = ['sqlite', 'postgres'] as const;
export type ReadModelsKind = (typeof READ_MODELS_KINDS)[number];
export type EventStoreKind = (typeof EVENT_STORE_KINDS)[number];

/** The connection string with its password hidden, for messages: `scheme://user:***@host…`. */
export function redactUrl(url: string): string {
  return url.trim().replace(/^([a-z][a-z0-9+.-]*:\/\/[^:@/?]*):[^@/?]*@/i, '$1:***@');
}

const POSTGRES_URL = /^postgres(ql)?:\/\/[^\s]+$/i;
// The schemes @kurrent/kurrentdb-client accepts; the client checks the rest when the store opens.
const KURRENTDB_URL = /^(kurrentdb|kurrent|kdb|esdb)(\+discover)?:\/\/[^\s]+$/i;

/** The event store and its connection string. A URL that is set is checked even when unused: a typo should not wait for the day it is. */
function storeSettings(env: Env): Pick<AppConfig, 'eventStore' | 'readModels' | 'databaseUrl' | 'kurrentDbUrl'> {
  const eventStore = oneOf(env, 'EVENT_STORE', EVENT_STORE_KINDS, 'sqlite');
  const readModels = oneOf(env, 'READ_MODELS', READ_MODELS_KINDS, 'sqlite');
  const databaseUrl = env.DATABASE_URL?.trim() || undefined;
  if (databaseUrl !== undefined && !POSTGRES_URL.test(databaseUrl)) {
    throw new ConfigError('DATABASE_URL', `expected postgres://user:password@host:5432/database, got '${redactUrl(databaseUrl)}'`);
  }
  const kurrentDbUrl = env.KURRENTDB_URL?.trim() || undefined;
  if (kurrentDbUrl !== undefined && !KURRENTDB_URL.test(kurrentDbUrl)) {
    throw new ConfigError(
      'KURRENTDB_URL',
      `expected kurrentdb://host:2113?tls=false (or kurrentdb+discover://…), got '${redactUrl(kurrentDbUrl)}'`,
    );
  }
  if (eventStore === 'postgres' && databaseUrl === undefined) throw new ConfigError('DATABASE_URL', 'required with EVENT_STORE=postgres');
  if (readModels === 'postgres' && databaseUrl === undefined) throw new ConfigError('DATABASE_URL', 'required with READ_MODELS=postgres');
  if (eventStore === 'kurrentdb' && kurrentDbUrl === undefined)
    throw new ConfigError('KURRENTDB_URL', 'required with EVENT_STORE=kurrentdb');
  return { eventStore, readModels, databaseUrl, kurrentDbUrl };
}

export function loadConfig(env: Env = process.env): AppConfig {
  const stores = storeSettings(env);
  const orgName = env.ORG_NAME?.trim() || '大雁塔街道';
  const adminPassword = env.CASES_ADMIN_PASSWORD || undefined;
  if (adminPassword !== undefined && adminPassword.length < 10) {
    throw new ConfigError('CASES_ADMIN_PASSWORD', 'must be at least 10 characters');
  }
  const jwtSecret = env.CASES_JWT_SECRET || undefined;
  if (jwtSecret !== undefined && jwtSecret.length < 32) throw new ConfigError('CASES_JWT_SECRET', 'must be at least 32 characters');
  const masterKey = env.CASES_MASTER_KEY ? masterKeyFrom(env.CASES_MASTER_KEY) : undefined;
  return {
    port: integer(env, 'PORT', 3000, 0),
    dataDir: resolve(env.DATA_DIR || './data'),
    ...stores,
    org: { id: env.ORG_ID?.trim() || 'default', name: orgName },
    auth: {
      jwtSecret,
      accessTokenTtlSeconds: integer(env, 'ACCESS_TOKEN_TTL_SECONDS', 900, 30),
      refreshTokenTtlSeconds: integer(env, 'REFRESH_TOKEN_TTL_SECONDS', 12 * 3600, 60),
      adminPassword,
      loginAttemptsPerMinute: integer(env, 'LOGIN_ATTEMPTS_PER_MINUTE', 5, 1),
    },
    masterKey,
    unitsFile: resolve(env.UNITS_FILE || 'config/units.json'),
    corsOrigins: (env.CORS_ORIGINS ?? '')
      .split(',')
      .map((origin) => origin.trim())
      .filter((origin) => origin !== ''),
    trustProxy: trustProxyFrom(env.TRUST_PROXY),
    backdatingWindowMs: integer(env, 'BACKDATING_WINDOW_DAYS', 7, 0) * 86_400_000,
    readYourWritesTimeoutMs: integer(env, 'READ_YOUR_WRITES_TIMEOUT_MS', 5000, 1),
    policyFile: env.POLICY_FILE || undefined,
    calendarOverrideFile: env.CALENDAR_OVERRIDE_FILE || undefined,
    kpiFile: env.KPI_FILE || undefined,
    schedulerIntervalMs: integer(env, 'SCHEDULER_INTERVAL_MS', 30_000, 0),
    kafka: loadKafkaConfig(env),
    logLevel: oneOf(env, 'LOG_LEVEL', ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], 'info'),
    readinessMaxLag: integer(env, 'READINESS_MAX_LAG', 10_000, 0),
    longWorkQueue: integer(env, 'LONG_WORK_QUEUE', 3, 0),
    longWorkHeapMb: integer(env, 'LONG_WORK_HEAP_MB', 192, 1),
    timelinessSnapshotEvery: integer(env, 'TIMELINESS_SNAPSHOT_EVERY', 100_000, 0),
  };
}

const PROXY_ADDRESS_NAMES = ['loopback', 'linklocal', 'uniquelocal'];

/**
 * Behind a reverse proxy every connection comes from the proxy, so the sign-in limiter would count
 * every client as one (docs/security.md). `true` (trust every hop) is refused: any client could
 * then name its own address in X-Forwarded-For and escape the limit.
 */
function trustProxyFrom(value: string | undefined): number | string[] | false {
  const text = value?.trim() ?? '';
  if (text === '' || text === 'false' || text === '0') return false;
  if (/^\d+$/.test(text)) return Number(text);
  const entries = text.split(',').map((entry) => entry.trim());
  const bad = entries.find((entry) => {
    if (PROXY_ADDRESS_NAMES.includes(entry)) return false;
    const [address, bits, ...rest] = entry.split('/');
    const family = isIP(address);
    if (family === 0 || rest.length > 0) return true;
    return bits !== undefined && !(/^\d+$/.test(bits) && Number(bits) <= (family === 4 ? 32 : 128));
  });
  if (bad !== undefined) {
    throw new ConfigError(
      'TRUST_PROXY',
      `expected the number of proxies in front of the service, or their addresses, subnets (10.0.0.0/8) or loopback, linklocal, uniquelocal, comma-separated; got '${bad}'`,
    );
  }
  return entries;
}

function masterKeyFrom(value: string): MasterKey {
  try {
    return MasterKey.fromBase64(value, 'CASES_MASTER_KEY');
  } catch {
    throw new ConfigError('CASES_MASTER_KEY', 'expected the base64 of 32 random bytes (openssl rand -base64 32)');
  }
}
