import { ConfigError, loadConfig, redactUrl } from './app-config';

/** loadConfig's failure for `env`, so a test can assert on the variable its message names. */
function failure(env: Record<string, string>): ConfigError {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error(`loadConfig accepted ${JSON.stringify(env)}`);
}

describe('loadConfig: where the event log lives', () => {
  it('defaults to the embedded SQLite store and SQLite read models', () => {
    const config = loadConfig({});
    expect(config.eventStore).toBe('sqlite');
    expect(config.readModels).toBe('sqlite');
    expect(config.databaseUrl).toBeUndefined();
    expect(config.kurrentDbUrl).toBeUndefined();
  });

  it('takes EVENT_STORE=postgres with DATABASE_URL', () => {
    const config = loadConfig({ EVENT_STORE: 'postgres', DATABASE_URL: ' postgres://cases:secret@db:5432/cases ' });
    expect(config.eventStore).toBe('postgres');
    expect(config.databaseUrl).toBe('postgres://cases:secret@db:5432/cases');
  });

  it('takes EVENT_STORE=kurrentdb with KURRENTDB_URL, in any scheme the client accepts', () => {
    for (const url of ['kurrentdb://kurrentdb:2113?tls=false', 'kurrentdb+discover://a:2113,b:2113,c:2113', 'esdb://node:2113?tls=false']) {
      const config = loadConfig({ EVENT_STORE: 'kurrentdb', KURRENTDB_URL: url });
      expect(config).toMatchObject({ eventStore: 'kurrentdb', kurrentDbUrl: url });
    }
  });

  it('refuses an unknown EVENT_STORE, naming the variable and the choices', () => {
    const error = failure({ EVENT_STORE: 'mysql' });
    expect(error.message).toBe(`Configuration EVENT_STORE: expected one of sqlite, postgres, kurrentdb, got 'mysql'`);
  });

  it('takes READ_MODELS=postgres with DATABASE_URL, whatever EVENT_STORE is, and refuses any other value as unknown', () => {
    for (const eventStore of ['sqlite', 'postgres', 'kurrentdb']) {
      const config = loadConfig({
        EVENT_STORE: eventStore,
        READ_MODELS: 'postgres',
        DATABASE_URL: 'postgres://cases@db:5432/cases',
        KURRENTDB_URL: 'kurrentdb://kurrentdb:2113?tls=false',
      });
      expect(config).toMatchObject({ eventStore, readModels: 'postgres', databaseUrl: 'postgres://cases@db:5432/cases' });
    }
    expect(failure({ READ_MODELS: 'postgres' }).message).toBe('Configuration DATABASE_URL: required with READ_MODELS=postgres');
    expect(failure({ READ_MODELS: 'redis' }).message).toMatch(/^Configuration READ_MODELS: expected one of sqlite, postgres, got 'redis'/);
  });

  it('requires the URL of the store EVENT_STORE names', () => {
    expect(failure({ EVENT_STORE: 'postgres' }).message).toBe('Configuration DATABASE_URL: required with EVENT_STORE=postgres');
    expect(failure({ EVENT_STORE: 'postgres', DATABASE_URL: '  ' }).message).toBe(
      'Configuration DATABASE_URL: required with EVENT_STORE=postgres',
    );
    expect(failure({ EVENT_STORE: 'kurrentdb', DATABASE_URL: 'postgres://db/cases' }).message).toBe(
      'Configuration KURRENTDB_URL: required with EVENT_STORE=kurrentdb',
    );
  });

  it('refuses a malformed URL even when EVENT_STORE does not use it, without repeating its password', () => {
    const database = failure({ DATABASE_URL: 'mysql://cases:hunter2@db/cases' });
    expect(database.message).toBe(
      "Configuration DATABASE_URL: expected postgres://user:password@host:5432/database, got 'mysql://cases:***@db/cases'",
    );
    const kurrent = failure({ EVENT_STORE: 'kurrentdb', KURRENTDB_URL: 'http://admin:changeit@kurrentdb:2113' });
    expect(kurrent.message).toMatch(/^Configuration KURRENTDB_URL: expected kurrentdb:\/\/host:2113\?tls=false/);
    expect(kurrent.message).toContain("got 'http://admin:***@kurrentdb:2113'");
    expect(`${database.message} ${kurrent.message}`).not.toMatch(/hunter2|changeit/);
  });
});

describe('redactUrl', () => {
  it('hides the password and keeps everything else', () => {
    expect(redactUrl('postgres://cases:p%40ss@db:5432/cases?sslmode=require')).toBe('postgres://cases:***@db:5432/cases?sslmode=require');
    expect(redactUrl('kurrentdb://admin:changeit@a:2113,b:2113?tls=true')).toBe('kurrentdb://admin:***@a:2113,b:2113?tls=true');
    expect(redactUrl('postgres://db/cases')).toBe('postgres://db/cases');
    expect(redactUrl('postgres://cases@db/cases')).toBe('postgres://cases@db/cases');
  });
});
