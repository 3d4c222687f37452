export * from './case-history.projection';
export * from './get-case-history';
