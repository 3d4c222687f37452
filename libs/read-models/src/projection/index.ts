export * from './projection';
export * from './projection-runner';
export * from './read-model-database';
