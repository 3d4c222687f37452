// Test levels by file suffix: *.unit.spec.ts are pure (no I/O), *.contract.spec.ts run the
// event-store contract against every adapter, *.int.spec.ts and test/*.e2e.spec.ts go through
// real stores, real HTTP and real child processes.
const moduleNameMapper = {
  '^@cases/domain(|/.*)$': '<rootDir>/libs/domain/src$1',
  '^@cases/event-store(|/.*)$': '<rootDir>/libs/event-store/src$1',
  '^@cases/read-models(|/.*)$': '<rootDir>/libs/read-models/src$1',
  '^@cases/messaging(|/.*)$': '<rootDir>/libs/messaging/src$1',
  '^@cases/personal-data(|/.*)$': '<rootDir>/libs/personal-data/src$1',
  '^@cases/coordination(|/.*)$': '<rootDir>/libs/coordination/src$1',
};
const transform = { '^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/tsconfig.spec.json' }] };
const base = { rootDir: __dirname, moduleFileExtensions: ['ts', 'js', 'json'], testEnvironment: 'node', transform, moduleNameMapper };

module.exports = {
  testTimeout: 60000,
  // A suite whose teardown times out can leave a client behind (a Kafka consumer still retrying);
  // the run must still end with its failures reported, never wait for that client for ever.
  forceExit: true,
  projects: [
    {
      ...base,
      displayName: 'unit',
      testMatch: ['<rootDir>/libs/**/*.unit.spec.ts', '<rootDir>/apps/**/*.unit.spec.ts', '<rootDir>/test/**/*.unit.spec.ts'],
    },
    { ...base, displayName: 'contract', testMatch: ['<rootDir>/libs/**/*.contract.spec.ts'] },
    {
      ...base,
      displayName: 'integration',
      testMatch: ['<rootDir>/libs/**/*.int.spec.ts', '<rootDir>/apps/**/*.int.spec.ts', '<rootDir>/test/**/*.int.spec.ts'],
    },
    { ...base, displayName: 'e2e', testMatch: ['<rootDir>/test/**/*.e2e.spec.ts'] },
    // Every in-process HTTP suite again with EVENT_STORE=postgres READ_MODELS=postgres, each app
    // (or each group of apps restarted on one log) in a PostgreSQL database of its own
    // (test/support/test-stores.ts); a suite that looks past the service at what a store holds, or
    // injects a store fault, does it for either store. The few tests about the embedded default's
    // own files (DATA_DIR/master.key, the SQLite WAL) are defined for SQLite only, saying why.
    // Left out: the suites that spawn the built service, which choose their stores themselves
    // (crash-recovery, store-startup, move-store, store-outage, multi-instance,
    // projection-takeover, the Kafka ones). hostile-input's fuzz sends 1,000 requests here rather
    // than 10,000: nearly all are refused before the store.
    {
      ...base,
      displayName: 'e2e-postgres',
      testMatch: [
        'closed-loop',
        'api-rules',
        'unit-scope',
        'timeliness',
        'read-your-writes',
        'parked-events',
        'auth',
        'cross-unit',
        'long-work',
        'permissions',
        'platform-steps',
        'readme-promises',
        'trust-proxy',
        'hostile-input',
        'deadline-scheduler',
        'audit',
        'observability',
        'personal-data',
        'master-key-rotation',
      ].map((suite) => `<rootDir>/test/${suite}.e2e.spec.ts`),
      setupFiles: ['<rootDir>/test/support/postgres-stores.setup.ts'],
    },
  ],
};
